/* fetch_socks: drives a libcurl multi handle through
 * curl_multi_socket_action, with one poll(2) over the sockets libcurl asks
 * to be watched and the caller's own descriptors.
 *
 * Why not curl_multi_perform and curl_multi_poll: libcurl 7.88.1's perform
 * visits every transfer, and each one that is receiving makes a poll(2)
 * call of its own to learn whether its socket is readable; told by
 * socket_action, it skips that call. The socket set is kept in user memory
 * (no epoll_ctl per change: measured, those cost what they saved).
 * Parent task-clock per page on the 20k bench site, 5 runs alternated:
 * 0.0554 ms with perform/poll, 0.0543 ms with this (lower in every pair). */
#ifndef CRAWL_FETCH_SOCKS_H
#define CRAWL_FETCH_SOCKS_H

#include <curl/curl.h>
#include <poll.h>

struct fetch_socks;

/* Installs the socket and timer callbacks on m. */
struct fetch_socks *fetch_socks_create(CURLM *m);
/* Call after curl_multi_cleanup (which still reports closed sockets). */
void fetch_socks_free(struct fetch_socks *s);

/* Runs libcurl's timer when it is due (transfers added since the last
 * call start here). Returns 0, or -1 when libcurl fails. */
int fetch_socks_timer(struct fetch_socks *s);

/* Waits up to timeout_ms (less when libcurl's timer is due sooner) for
 * libcurl's sockets or the extra fds, whose revents are filled; then
 * hands each ready socket to libcurl and runs its timer if due. Returns 0,
 * or -1 when poll or libcurl fails. */
int fetch_socks_wait(struct fetch_socks *s, struct pollfd *extra, unsigned nextra, int timeout_ms);

#endif
