/* test_rconn: the --redis URL forms accepted and refused (a host name is
 * refused: hiredis would resolve it with a blocking call). */
#include "check.h"
#include "rconn.h"

struct rconn_case {
    const char *url;
    int ok;
    const char *host;
    int port, db;
};

int main(void)
{
    static const struct rconn_case cases[] = {
        {"redis://127.0.0.1", 1, "127.0.0.1", 6379, 0},
        {"redis://127.0.0.1/", 1, "127.0.0.1", 6379, 0},
        {"redis://127.0.0.1:6390", 1, "127.0.0.1", 6390, 0},
        {"redis://127.0.0.1:6390/3", 1, "127.0.0.1", 6390, 3},
        {"redis://localhost:7000/1", 1, "127.0.0.1", 7000, 1},
        {"redis://[::1]:7000", 1, "::1", 7000, 0},
        {"redis://10.0.0.5", 1, "10.0.0.5", 6379, 0},
        {"unix:///run/redis.sock", 1, "/run/redis.sock", 0, 0},
        {"unix:///run/redis.sock?db=2", 1, "/run/redis.sock", 0, 2},
        {"redis://example.org", 0, NULL, 0, 0},
        {"redis://127.0.0.1:0", 0, NULL, 0, 0},
        {"redis://127.0.0.1:65536", 0, NULL, 0, 0},
        {"redis://127.0.0.1:x", 0, NULL, 0, 0},
        {"redis://127.0.0.1/x", 0, NULL, 0, 0},
        {"redis://127.0.0.1/1/2", 0, NULL, 0, 0},
        {"redis://[::1", 0, NULL, 0, 0},
        {"http://127.0.0.1", 0, NULL, 0, 0},
        {"127.0.0.1:6379", 0, NULL, 0, 0},
        {"unix://relative.sock", 0, NULL, 0, 0},
        {"redis://", 0, NULL, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct rconn_case *c = &cases[i];
        struct rconn_addr a;
        char err[256] = "";
        int rc = rconn_parse_url(c->url, &a, err, sizeof err);
        CHECKF((rc == 0) == c->ok, "%s: rc %d (%s)", c->url, rc, err);
        if (c->ok && rc == 0) {
            CHECK_STR(a.host, c->host);
            CHECKF(a.port == c->port && a.db == c->db, "%s: port %d db %d", c->url, a.port, a.db);
        } else if (!c->ok) {
            CHECKF(strstr(err, "--redis") != NULL, "%s: the error names --redis: %s", c->url, err);
        }
    }
    return check_summary("rconn");
}
