/*
 * bnd_log.h: the daemon's log, one line per event on stderr.
 *
 *   2024-11-24T23:22:05.123Z info request conn=3 account=2 msg=NOTE_PUT ...
 *
 * A line is an ISO-8601 UTC timestamp, a level, an event name, then
 * key=value pairs. Only ids, sizes, counts, durations and code names go in
 * a line: never a body, a ciphertext, a key, a token, a name or a
 * passphrase. Lines are written with one write(2), so threads do not
 * interleave them. A thread may buffer its lines instead (the loop
 * thread does, flushed once per loop iteration and at each error line).
 */
#ifndef BND_LOG_H
#define BND_LOG_H

enum bnd_log_level {
    BND_LOG_ERROR = 0,
    BND_LOG_WARN = 1,
    BND_LOG_INFO = 2,
    BND_LOG_DEBUG = 3,
};

/* bnd_log_set_level sets the most verbose level written (default info). */
void bnd_log_set_level(int level);
int bnd_log_get_level(void);

/* bnd_log_level_parse reads "error", "warn", "info" or "debug": 0 or
 * BN_EINVAL. */
int bnd_log_level_parse(const char *s, int *level);

/* bnd_log_enabled returns 1 when a line of this level would be written. */
int bnd_log_enabled(int level);

/*
 * bnd_log writes one line: level, event, then fmt (printf-style, expected
 * to be "key=value key=value"). Lines longer than 1 KiB are cut.
 */
void bnd_log(int level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * bnd_log_buffer(1) makes the calling thread's lines wait in a 64 KiB
 * buffer until bnd_log_flush (or a full buffer, or an error line);
 * bnd_log_buffer(0) flushes and writes each line at once again.
 */
void bnd_log_buffer(int on);
void bnd_log_flush(void);

#endif
