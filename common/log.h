/* log: leveled logging to stderr, one write() per line so lines from the
 * parent and the workers never interleave mid-line. Never writes stdout. */
#ifndef CRAWL_LOG_H
#define CRAWL_LOG_H

enum log_level { LOG_LEVEL_ERROR = 0, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* Messages above `level` are dropped. `tag` prefixes every line
 * ("crawl", "worker 3"); it is copied. */
void log_init(enum log_level level, const char *tag);
void log_set_tag(const char *tag);
enum log_level log_get_level(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* While a progress line is on the terminal, every log line erases it
 * first ("\r" + erase to end of line). */
void log_set_progress(int on);

/* Print "tag: message" regardless of level (the end-of-crawl summary). */
void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
