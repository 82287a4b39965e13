/*
 * bnd_audit_core.h: the checks behind the auditor's two audits, the
 * offline `binomed audit --data DIR` and the live AUDIT_GET. Both walk the
 * stored records and hand every ciphertext to the same functions, which
 * fill one report; nothing here touches LMDB or the network, so every
 * check is testable on bytes.
 *
 * What is checked:
 *   (a) well-formedness: a note/objective/key envelope passes
 *       bn_envelope_check; a document chunk (secretstream) is at least
 *       crypto_secretstream_xchacha20poly1305_ABYTES (17) bytes: an empty
 *       file uploads as one final chunk of exactly 17 bytes; a wrapped
 *       pair key is BN_WRAP_BYTES long with version 1;
 *   (b) nonce reuse: no two records carry the same 24-byte envelope nonce
 *       (a record fed twice is counted once; two records with identical
 *       envelopes, as a retry stored twice would make, are reuse);
 *   (c) randomness: the bytes after the envelope header (and whole
 *       chunks) pass a byte-frequency chi-square test: individually when
 *       there are at least BND_AUDIT_CHI2_MIN bytes, else pooled per
 *       database with the other small ones (bnd_audit_finish);
 *   (d) canaries: no plaintext canary appears in any regular file under
 *       the data directory (streamed in blocks, never a whole file): the
 *       offline audit, run by someone who holds the files;
 *   (e) the live audit's canaries (bnd_audit_search): found or not in the
 *       ciphertext fields fed to (a), never in a file, a clear field or a
 *       key; the answer is one bit per canary, naming no record.
 *
 * Errors are negative BN_E* codes or -errno. Findings are not errors:
 * they are the report's content.
 */
#ifndef BND_AUDIT_CORE_H
#define BND_AUDIT_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bn_proto.h"

/* Sizes of the report's strings: those of the wire (bn_schema.h), + NUL. */
#define BND_AUDIT_CODE_MAX 32
#define BND_AUDIT_DB_MAX 32
#define BND_AUDIT_RECORD_MAX 128
#define BND_AUDIT_DETAIL_MAX 256
#define BND_AUDIT_FIELD_MAX 64
#define BND_AUDIT_KIND_MAX 16

/* Default cap on stored findings; past it the report says truncated. */
#define BND_AUDIT_FINDINGS_MAX BN_PAGE_MAX

/* Finding codes. */
#define BND_AUDIT_MALFORMED "malformed"     /* (a) */
#define BND_AUDIT_NONCE_REUSE "nonce-reuse" /* (b) */
#define BND_AUDIT_NOT_RANDOM "not-random"   /* (c) */
#define BND_AUDIT_CANARY "canary"           /* (d) */

/* Randomness test: see the comment above bnd_audit_chi2 in the .c file. */
#define BND_AUDIT_CHI2_MIN 256u        /* bytes to test one ciphertext alone */
#define BND_AUDIT_CHI2_THRESHOLD 500.0 /* X^2 above this fails */

/* Canary scan: block size read at a time; canaries are at most
 * BND_AUDIT_CANARY_MAX bytes, the live audit's bound. */
#define BND_AUDIT_SCAN_BLOCK 65536u
#define BND_AUDIT_CANARY_MAX BN_AUDIT_CANARY_MAX

typedef struct bnd_audit_finding {
    char code[BND_AUDIT_CODE_MAX + 1];
    char db[BND_AUDIT_DB_MAX + 1];
    char record[BND_AUDIT_RECORD_MAX + 1];
    char detail[BND_AUDIT_DETAIL_MAX + 1];
} bnd_audit_finding;

/* One line of the schema the server sees: kind is "clear" or "ciphertext". */
typedef struct bnd_audit_field {
    char db[BND_AUDIT_DB_MAX + 1];
    char field[BND_AUDIT_FIELD_MAX + 1];
    char kind[BND_AUDIT_KIND_MAX + 1];
} bnd_audit_field;

/*
 * bnd_audit_report: what both audits return. Counters, findings (at most
 * max_findings are kept; the others set truncated and are still counted in
 * nfindings_total), and the field schema. Zero it, then
 * bnd_audit_report_init; free with bnd_audit_report_free. Strings are
 * valid UTF-8 without control characters (what the wire's STR demands):
 * the add functions replace anything else with '?' and cut at a character
 * boundary.
 */
typedef struct bnd_audit_report {
    uint64_t records;      /* distinct records that held ciphertext */
    uint64_t envelopes;    /* envelopes and chunks checked */
    uint64_t cipher_bytes; /* their total size */
    uint64_t files;        /* regular files scanned for canaries */
    bnd_audit_finding *findings;
    size_t nfindings;
    size_t max_findings;
    uint64_t nfindings_total;
    int truncated;
    bnd_audit_field *fields;
    size_t nfields;
} bnd_audit_report;

/* bnd_audit_report_init zeroes r and sets the findings cap
 * (0: BND_AUDIT_FINDINGS_MAX). */
void bnd_audit_report_init(bnd_audit_report *r, size_t max_findings);
/* bnd_audit_report_free releases the arrays; accepts NULL. */
void bnd_audit_report_free(bnd_audit_report *r);

/* bnd_audit_add_finding appends a finding (detail is printf-formatted):
 * 0 or BN_ENOMEM. Past the cap it only counts and sets truncated. */
int bnd_audit_add_finding(bnd_audit_report *r, const char *code, const char *db,
                          const char *record, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* bnd_audit_add_field appends one schema line: 0 or BN_ENOMEM. */
int bnd_audit_add_field(bnd_audit_report *r, const char *db, const char *field,
                        const char *kind);

/*
 * bnd_audit_add_struct appends one line per field of a record described
 * with the schema macros (bn_proto.h): ENV fields are "ciphertext", all
 * others "clear"; OBJ and LIST fields are walked with dotted names
 * ("items.envelope").
 */
int bnd_audit_add_struct(bnd_audit_report *r, const char *db,
                         const bn_struct_desc *d);

/* ---- the running audit ------------------------------------------------ */

typedef struct bnd_audit bnd_audit;

/* A plaintext canary: 1 to BND_AUDIT_CANARY_MAX bytes for a file scan, a
 * live audit's passes bn_audit_canary_check (see bnd_audit_search). */
typedef struct bnd_audit_canary {
    const uint8_t *bytes;
    size_t len;
} bnd_audit_canary;

/*
 * bnd_audit_new starts an audit that fills r (borrowed: r must outlive the
 * audit). *out is allocated; free with bnd_audit_free.
 */
int bnd_audit_new(bnd_audit **out, bnd_audit_report *r);
/* bnd_audit_free releases the nonce set and pools; accepts NULL. */
void bnd_audit_free(bnd_audit *a);

/*
 * bnd_audit_envelope checks one envelope stored in record of db: (a), (b)
 * and (c). record must name the envelope uniquely (add the field name when
 * a record holds several, e.g. "doc/7/9#key_env"); feeding the same
 * (db, record) again is not counted twice and is not reuse. Returns 0
 * (findings go to the report) or BN_ENOMEM.
 */
int bnd_audit_envelope(bnd_audit *a, const char *db, const char *record,
                       const uint8_t *env, size_t len);

/* bnd_audit_chunk checks one document chunk: (a) and (c). */
int bnd_audit_chunk(bnd_audit *a, const char *db, const char *record,
                    const uint8_t *chunk, size_t len);

/*
 * bnd_audit_wrap checks one wrapped pair key (bn_pairkey_wrap): (a), and
 * (c) on its sealed key and tag only (48 bytes, pooled):
 * the ephemeral X25519 key before them has its top bit clear and the
 * signature after them a small last byte, a bias that a pool of thousands
 * of wraps would show.
 */
int bnd_audit_wrap(bnd_audit *a, const char *db, const char *record,
                   const uint8_t *wrap, size_t len);

/*
 * bnd_audit_search makes the audit look for n canaries (each passing
 * bn_audit_canary_check, n at most BN_AUDIT_CANARIES_MAX) in every
 * ciphertext fed from now on to bnd_audit_envelope, _chunk and _wrap,
 * whole, well formed or not: found[i] becomes 1 when canary i is inside
 * one (a canary split across two document chunks is not seen). c and found
 * are borrowed until bnd_audit_free; found is zeroed here. This is the
 * live audit's search: it reaches only the bytes a client sent as
 * ciphertext, so it reveals nothing of a clear field, a file or a key.
 * 0 or BN_EINVAL.
 */
int bnd_audit_search(bnd_audit *a, const bnd_audit_canary *c, size_t n,
                     uint8_t *found);

/*
 * bnd_audit_finish runs the pooled randomness test of each database's
 * small ciphertexts (those under BND_AUDIT_CHI2_MIN bytes), when the pool
 * holds at least BND_AUDIT_CHI2_MIN bytes. Call it once, after the last
 * record.
 */
int bnd_audit_finish(bnd_audit *a);

/* ---- pure checks, for the above and for tests ------------------------- */

/*
 * bnd_audit_chi2 returns Pearson's X^2 of the byte counts of p[0..n)
 * against the uniform distribution (255 degrees of freedom); 0 for n 0.
 */
double bnd_audit_chi2(const uint8_t *p, size_t n);

/*
 * bnd_audit_random_enough returns 1 when n >= BND_AUDIT_CHI2_MIN and X^2
 * is at most BND_AUDIT_CHI2_THRESHOLD, 0 when it fails, -1 when n is too
 * small to judge. *chi2 (may be NULL) receives X^2.
 */
int bnd_audit_random_enough(const uint8_t *p, size_t n, double *chi2);

/* bnd_audit_chunk_ok says whether a secretstream chunk is long enough:
 * at least crypto_secretstream_xchacha20poly1305_ABYTES (the empty final
 * chunk of an empty file). */
int bnd_audit_chunk_ok(size_t len);

/* ---- canaries ---------------------------------------------------------- */

/*
 * bnd_audit_scan_file searches one file for the canaries, reading
 * BND_AUDIT_SCAN_BLOCK bytes at a time and keeping the last (longest
 * canary - 1) bytes of each block in front of the next, so a canary across
 * a block boundary is found; found[i] is set to 1 for each canary seen.
 * -errno when the file cannot be read.
 */
int bnd_audit_scan_file(const char *path, const bnd_audit_canary *c, size_t n,
                        uint8_t *found);

/*
 * bnd_audit_scan_dir walks every regular file under dir (symbolic links
 * are not followed; other file types are skipped), counts them in
 * r->files, and adds one "canary" finding per (file, canary) found, the
 * record being the path relative to dir. BN_EINVAL for an empty or
 * oversized canary, -errno when dir cannot be opened; a file that cannot
 * be read is a finding ("unreadable"), not an error.
 */
int bnd_audit_scan_dir(bnd_audit_report *r, const char *dir,
                       const bnd_audit_canary *c, size_t n);

/* ---- output ------------------------------------------------------------ */

/*
 * bnd_audit_report_write_text prints the report for a person: counts, the
 * schema (clear / ciphertext), then each finding. _json writes one JSON
 * object with the same content. 0, or BN_EIO when the stream fails.
 */
int bnd_audit_report_write_text(FILE *f, const bnd_audit_report *r);
int bnd_audit_report_write_json(FILE *f, const bnd_audit_report *r);

#endif
