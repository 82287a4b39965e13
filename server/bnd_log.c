#include "bnd_log.h"

#include <stdarg.h>
#include <stdio.h>
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

void bnd_log(int level, const char *event, const char *fmt, ...)
{
    char line[1024];
    struct timespec ts;
    struct tm tm;
    size_t n;
    int k;

    if (!bnd_log_enabled(level))
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
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
    ssize_t w = write(STDERR_FILENO, line, n);
    (void)w;
}
