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
    X(INVAL, "invalid argument")                                               \
    X(NOMEM, "out of memory")                                                  \
    X(IO, "input/output error")                                                \
    X(PASSPHRASE, "wrong passphrase")                                          \
    X(CORRUPT, "file is corrupt or not a binome file")                         \
    X(VERSION, "unsupported format version")                                   \
    X(AUTH, "authentication failed: data was altered or the key is wrong")     \
    X(SIG, "signature does not verify")                                        \
    X(PROTO, "protocol error")                                                 \
    X(TOOBIG, "message or frame larger than the limit")                        \
    X(AGAIN, "more data needed")                                               \
    X(TYPE, "wrong type in message")                                           \
    X(MISSING, "required field missing")                                       \
    X(TRAILING, "trailing bytes after message")                                \
    X(DEPTH, "message nested too deep")                                        \
    X(COUNT, "array or map count larger than the limit")                       \
    X(TRUNC, "message truncated")                                              \
    X(TOOLONG, "string or binary field longer than the limit")                 \
    X(RANGE, "value out of range")                                             \
    X(UNKNOWNMSG, "unknown message type")                                      \
    X(HANDSHAKE, "handshake failed: the server is not the one this profile "   \
                 "trusts")                                                     \
    X(REPLAY, "frame replayed, dropped or reordered")                          \
    X(NOTFOUND, "not found")                                                   \
    X(EXIST, "already exists")                                                 \
    X(DENIED, "permission denied for this role")                               \
    X(CONFLICT, "conflict: the record changed since you read it; reload and "  \
                "try again")                                                   \
    X(EXPIRED, "invitation expired; ask the administrator for a new one")      \
    X(USED, "invitation already used; ask the administrator for a new one")    \
    X(NOTLOGGEDIN, "not logged in")                                            \
    X(CLOSED, "connection closed")                                             \
    X(TIMEDOUT, "operation timed out")                                         \
    X(CONNECT, "cannot connect to the server")                                 \
    X(STORE, "storage error on the server")                                    \
    X(FULL, "storage full on the server")                                      \
    X(CHAIN, "the pair's log does not verify")                                 \
    X(ROLLBACK, "the server rolled back or forked the pair's log")             \
    X(UNVERIFIED, "a member's key changed since you verified it; run "         \
                  "'binome verify PAIR' again")                                \
    X(STREAM, "document stream truncated or out of order")                     \
    X(DATE, "invalid date; use YYYY-MM-DD")                                    \
    X(LIMIT, "limit exceeded; slow down or try later")                         \
    X(NOTACCEPTED, "the pair has not been accepted by both members yet")       \
    X(ENDED, "the pair has ended")                                             \
    X(NOKEY, "no key for this pair yet")                                       \
    X(STALE, "the pair's log moved on since you read it; fetch it and retry")  \
    X(AMBIGUOUS,                                                               \
      "ambiguous: more than one record matches; give more of the id")          \
    X(PROFILE, "no profile here; run 'binome join CODE --name NAME' first")    \
    X(INTERNAL, "internal error")                                              \
    X(TAMPER, "the server's copy of the pair does not follow from its "        \
              "signed log: it was altered; nothing altered is shown")          \
    X(WITHHELD, "the server withholds an item of the pair's signed log")       \
    X(QUOTA, "storage quota used up; erase ended pairs, or ask the "           \
             "operator to raise quota_pair_mib or quota_account_mib")

/* The codes run from -999 upwards: BN_EINVAL is -999, and so on. */
enum bn_err {
    BN__ERR_FIRST = -1000,
#define BN__ERR_ENUM(name, msg) BN_E##name,
    BN_ERR_MAP(BN__ERR_ENUM)
#undef BN__ERR_ENUM
        BN__ERR_LAST
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
