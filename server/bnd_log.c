/*
 * bnd_log.c: the daemon's log lines on stderr (format in bnd_log.h):
 * ids, sizes, counts, durations and code names only.
 */
#include "bnd_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bn_err.h"

static volatile int log_level = BND_LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void bnd_log_set_level(int level)
{
    if (level >= BND_LOG_ERROR && level <= BND_LOG_DEBUG)
        log_level = level;
}

int bnd_log_get_level(void)
{
    return log_level;
}

int bnd_log_level_parse(const char *s, int *level)
{
    for (int i = 0; i <= BND_LOG_DEBUG; i++) {
        if (s != NULL && strcmp(s, level_names[i]) == 0) {
            *level = i;
            return 0;
        }
    }
    return BN_EINVAL;
}

int bnd_log_enabled(int level)
{
    return level <= log_level;
}

/*
 * A thread may buffer its lines (bnd_log_buffer): the loop thread does,
 * and flushes once per loop iteration, so that a request costs no
 * write(2) of its own. An error line flushes at once.
 */
#define BUF_CAP 65536

static _Thread_local char *tl_buf;
static _Thread_local size_t tl_len;
static _Thread_local time_t tl_sec = (time_t)-1;
static _Thread_local char tl_stamp[32];
static _Thread_local size_t tl_stamp_len;

static void write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, p, n);
        if (w <= 0)
            return; /* nowhere to report it */
        p += w;
        n -= (size_t)w;
    }
}

void bnd_log_flush(void)
{
    if (tl_buf != NULL && tl_len > 0) {
        write_all(tl_buf, tl_len);
        tl_len = 0;
    }
}

void bnd_log_buffer(int on)
{
    bnd_log_flush();
    if (on && tl_buf == NULL) {
        tl_buf = malloc(BUF_CAP);
        tl_len = 0;
    } else if (!on) {
        free(tl_buf);
        tl_buf = NULL;
        tl_len = 0;
    }
}

void bnd_log(int level, const char *event, const char *fmt, ...)
{
    char line[1024];
    struct timespec ts;
    size_t n;
    int k;

    if (!bnd_log_enabled(level))
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != tl_sec) { /* the date part changes once a second */
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        tl_stamp_len =
            strftime(tl_stamp, sizeof tl_stamp, "%Y-%m-%dT%H:%M:%S", &tm);
        tl_sec = ts.tv_sec;
    }
    memcpy(line, tl_stamp, tl_stamp_len);
    n = tl_stamp_len;
    k = snprintf(line + n, sizeof line - n, ".%03ldZ %s %s",
                 (long)(ts.tv_nsec / 1000000), level_names[level], event);
    if (k > 0)
        n += (size_t)k;
    if (fmt != NULL && fmt[0] != '\0' && n < sizeof line - 2) {
        va_list ap;
        line[n++] = ' ';
        va_start(ap, fmt);
        k = vsnprintf(line + n, sizeof line - n, fmt, ap);
        va_end(ap);
        if (k > 0)
            n += (size_t)k;
    }
    if (n > sizeof line - 2)
        n = sizeof line - 2;
    line[n++] = '\n';
    if (tl_buf == NULL) {
        write_all(line, n);
        return;
    }
    if (tl_len + n > BUF_CAP)
        bnd_log_flush();
    memcpy(tl_buf + tl_len, line, n);
    tl_len += n;
    if (level == BND_LOG_ERROR)
        bnd_log_flush();
}
