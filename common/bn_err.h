/*
 * bn_err.h: binome's error codes.
 *
 * Every library function in binome returns an int: 0 on success, or a
 * negative code on failure. Codes are either a negated errno value (passed
 * through from the C library or libuv) or one of the BN_E* codes below, all
 * of which are below -900 so that they never collide with -errno.
 *
 * One X-macro list makes the enum, bn_strerror() and bn_err_name().
 * Messages name the problem; where a person can act, they say what to do.
 */
#ifndef BN_ERR_H
#define BN_ERR_H

#define BN_ERR_MAP(X)                                                          \
    X(INVAL, -999, "invalid argument")                                         \
    X(NOMEM, -998, "out of memory")                                            \
    X(IO, -997, "input/output error")                                          \
    X(PASSPHRASE, -996, "wrong passphrase")                                    \
    X(CORRUPT, -995, "file is corrupt or not a binome file")                   \
    X(VERSION, -994, "unsupported format version")                             \
    X(AUTH, -993,                                                              \
      "authentication failed: data was altered or the key is wrong")           \
    X(SIG, -992, "signature does not verify")                                  \
    X(PROTO, -991, "protocol error")                                           \
    X(TOOBIG, -990, "message or frame larger than the limit")                  \
    X(AGAIN, -989, "more data needed")                                         \
    X(TYPE, -988, "wrong type in message")                                     \
    X(MISSING, -987, "required field missing")                                 \
    X(TRAILING, -986, "trailing bytes after message")                          \
    X(DEPTH, -985, "message nested too deep")                                  \
    X(COUNT, -984, "array or map count larger than the limit")                 \
    X(TRUNC, -983, "message truncated")                                        \
    X(TOOLONG, -982, "string or binary field longer than the limit")           \
    X(RANGE, -981, "value out of range")                                       \
    X(UNKNOWNMSG, -980, "unknown message type")                                \
    X(HANDSHAKE, -979,                                                         \
      "handshake failed: the server is not the one this profile "              \
      "trusts")                                                                \
    X(REPLAY, -978, "frame replayed, dropped or reordered")                    \
    X(NOTFOUND, -977, "not found")                                             \
    X(EXIST, -976, "already exists")                                           \
    X(DENIED, -975, "permission denied for this role")                         \
    X(CONFLICT, -974,                                                          \
      "conflict: the record changed since you read it; reload and "            \
      "try again")                                                             \
    X(EXPIRED, -973,                                                           \
      "invitation expired; ask the administrator for a new one")               \
    X(USED, -972,                                                              \
      "invitation already used; ask the administrator for a new one")          \
    X(NOTLOGGEDIN, -971, "not logged in")                                      \
    X(CLOSED, -970, "connection closed")                                       \
    X(TIMEDOUT, -969, "operation timed out")                                   \
    X(CONNECT, -968, "cannot connect to the server")                           \
    X(STORE, -967, "storage error on the server")                              \
    X(FULL, -966, "storage full on the server")                                \
    X(CHAIN, -965, "the pair's log does not verify")                           \
    X(ROLLBACK, -964, "the server rolled back or forked the pair's log")       \
    X(UNVERIFIED, -963,                                                        \
      "a member's key changed since you verified it; run "                     \
      "'binome verify PAIR' again")                                            \
    X(STREAM, -962, "document stream truncated or out of order")               \
    X(DATE, -961, "invalid date; use YYYY-MM-DD")                              \
    X(LIMIT, -960, "limit exceeded; slow down or try later")                   \
    X(NOTACCEPTED, -959, "the pair has not been accepted by both members yet") \
    X(ENDED, -958, "the pair has ended")                                       \
    X(NOKEY, -957, "no key for this pair yet")                                 \
    X(STALE, -956,                                                             \
      "the pair's log moved on since you read it; fetch it and retry")         \
    X(AMBIGUOUS, -955,                                                         \
      "ambiguous: more than one record matches; give more of the id")          \
    X(PROFILE, -954,                                                           \
      "no profile here; run 'binome join CODE --name NAME' first")             \
    X(INTERNAL, -953, "internal error")                                        \
    X(TAMPER, -952,                                                            \
      "the server's copy of the pair does not follow from its "                \
      "signed log: it was altered; nothing altered is shown")                  \
    X(WITHHELD, -951, "the server withholds an item of the pair's signed log") \
    X(QUOTA, -950,                                                             \
      "storage quota used up; erase ended pairs, or ask the "                  \
      "operator to raise quota_pair_mib or quota_account_mib")

/*
 * Every code has an explicit, permanent number: it travels in ERROR{code}
 * and a client of another release reads it. A new code takes a new
 * number, after the last; a number is never reused or changed
 * (tests/unit/test_common.c holds a frozen copy of the table). All lie
 * below -900, away from -errno.
 */
enum bn_err {
#define BN__ERR_ENUM(name, value, msg) BN_E##name = value,
    BN_ERR_MAP(BN__ERR_ENUM)
#undef BN__ERR_ENUM
};

#define BN_OK 0

/*
 * bn_strerror returns a static, human-readable message for any code: a
 * BN_E* code, a negated errno value, or 0. The string is never freed.
 */
const char *bn_strerror(int err);

/*
 * bn_err_name returns the code's name ("BN_EAUTH", "ENOENT", "BN_OK") as a
 * static string, or "BN_EUNKNOWN" for a value that is no known code.
 */
const char *bn_err_name(int err);

/* bn_err_is_bn returns 1 when err is one of the BN_E* codes. */
int bn_err_is_bn(int err);

#endif
