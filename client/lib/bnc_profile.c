/*
 * bnc_profile.c: the client profile directory: profile.conf (no secret),
 * identity.key (passphrase box), and the enumerations' names.
 */
#include "binome.h"
#include "bnc_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#define CONF_MAX 4096 /* profile.conf is a handful of short lines */

int bnc_profile_default_dir(char *out, size_t size, const char *dir)
{
    const char *base;
    int n;

    if (dir != NULL && dir[0] != '\0') {
        n = snprintf(out, size, "%s", dir);
    } else if ((base = getenv("XDG_CONFIG_HOME")) != NULL && base[0] == '/') {
        n = snprintf(out, size, "%s/binome", base);
    } else if ((base = getenv("HOME")) != NULL && base[0] != '\0') {
        n = snprintf(out, size, "%s/.config/binome", base);
    } else {
        return BN_EINVAL;
    }
    if (n < 0 || (size_t)n >= size)
        return BN_EINVAL;
    return 0;
}

int bnc_profile_path(const bnc_profile *p, char *out, size_t size,
                     const char *name)
{
    int n = snprintf(out, size, "%s/%s", p->dir, name);
    if (n < 0 || (size_t)n >= size)
        return BN_EINVAL;
    return 0;
}

int bnc_profile_new(bnc_profile **out, const char *dir)
{
    bnc_profile *p = calloc(1, sizeof *p);
    int rc;

    *out = NULL;
    if (p == NULL)
        return BN_ENOMEM;
    rc = bnc_profile_default_dir(p->dir, sizeof p->dir, dir);
    if (rc != 0) {
        free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void bnc_profile_free(bnc_profile *p)
{
    if (p == NULL)
        return;
    bn_identity_free(p->id);
    free(p);
}

/* parse_u64 reads a decimal number that fills the whole string. */
int bnc__parse_u64(const char *s, uint64_t *v)
{
    char *end;
    unsigned long long x;

    if (s == NULL || *s < '0' || *s > '9')
        return BN_EINVAL;
    errno = 0;
    x = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return BN_EINVAL;
    *v = (uint64_t)x;
    return 0;
}

/* conf_set applies one key=value line of profile.conf to p. */
static int conf_set(bnc_profile *p, const char *key, const char *val,
                    unsigned *seen)
{
    uint64_t v;

    if (strcmp(key, "server") == 0) {
        if (bn_hostport_parse(val, p->host, &p->port) != 0)
            return BN_ECORRUPT;
        *seen |= 1;
    } else if (strcmp(key, "server_pk") == 0) {
        if (strlen(val) != 64 ||
            bn_hex_decode(p->server_pk, sizeof p->server_pk, val) != 0)
            return BN_ECORRUPT;
        *seen |= 2;
    } else if (strcmp(key, "account") == 0) {
        if (bnc__parse_u64(val, &p->account_id) != 0)
            return BN_ECORRUPT;
        *seen |= 4;
    } else if (strcmp(key, "name") == 0) {
        if (strlen(val) > BN_NAME_MAX)
            return BN_ECORRUPT;
        snprintf(p->name, sizeof p->name, "%s", val);
    } else if (strcmp(key, "role") == 0) {
        if (bnc_role_parse(val, &p->role) != 0)
            return BN_ECORRUPT;
    } else if (strcmp(key, "programme") == 0) {
        if (bnc__parse_u64(val, &v) != 0)
            return BN_ECORRUPT;
        p->programme_id = v;
    } else if (strcmp(key, "device") == 0) {
        if (bnc__parse_u64(val, &v) != 0 || v > BN_DEVICES_MAX)
            return BN_ECORRUPT;
        p->device = (uint32_t)v;
    }
    /* Unknown keys are kept for later versions: ignored, not an error. */
    return 0;
}

int bnc_profile_open(bnc_profile **out, const char *dir)
{
    char path[BNC_PATH_MAX + 32];
    char buf[CONF_MAX + 1];
    bnc_profile *p = NULL;
    FILE *f = NULL;
    unsigned seen = 0;
    size_t len;
    int rc;

    *out = NULL;
    rc = bnc_profile_new(&p, dir);
    if (rc != 0)
        return rc;
    rc = bnc_profile_path(p, path, sizeof path, "profile.conf");
    if (rc != 0)
        goto cleanup;
    f = fopen(path, "r");
    if (f == NULL) {
        rc = (errno == ENOENT || errno == ENOTDIR) ? BN_EPROFILE : -errno;
        goto cleanup;
    }
    len = fread(buf, 1, CONF_MAX + 1, f);
    if (ferror(f) || len > CONF_MAX) {
        rc = ferror(f) ? BN_EIO : BN_ECORRUPT;
        goto cleanup;
    }
    buf[len] = '\0';
    for (char *line = buf, *next; line != NULL && *line; line = next) {
        char *eq;
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        eq = strchr(line, '=');
        if (eq == NULL) {
            rc = BN_ECORRUPT;
            goto cleanup;
        }
        *eq = '\0';
        rc = conf_set(p, line, eq + 1, &seen);
        if (rc != 0)
            goto cleanup;
    }
    if (seen != 7) {
        rc = BN_ECORRUPT;
        goto cleanup;
    }
    *out = p;
    p = NULL;
    rc = 0;
cleanup:
    if (f != NULL)
        fclose(f);
    bnc_profile_free(p);
    return rc;
}

int bnc__mkdir_private(const char *path)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return -errno;
    if (chmod(path, 0700) != 0)
        return -errno;
    return 0;
}

int bnc_profile_save(const bnc_profile *p)
{
    char path[BNC_PATH_MAX + 32];
    char pk[65];
    char buf[CONF_MAX];
    int n, rc;

    if (p->host[0] == '\0' || strpbrk(p->name, "\r\n") != NULL)
        return BN_EINVAL;
    rc = bnc__mkdir_private(p->dir);
    if (rc != 0)
        return rc;
    rc = bnc_profile_path(p, path, sizeof path, "profile.conf");
    if (rc != 0)
        return rc;
    bn_hex_encode(pk, p->server_pk, sizeof p->server_pk);
    n = snprintf(buf, sizeof buf,
                 "# binome profile: no secret here (see identity.key)\n"
                 "server=%s%s%s:%u\nserver_pk=%s\naccount=%" PRIu64
                 "\nname=%s\nrole=%s\nprogramme=%" PRIu64 "\ndevice=%u\n",
                 strchr(p->host, ':') ? "[" : "", p->host,
                 strchr(p->host, ':') ? "]" : "", (unsigned)p->port, pk,
                 p->account_id, p->name, bnc_role_name(p->role),
                 p->programme_id, (unsigned)p->device);
    if (n < 0 || (size_t)n >= sizeof buf)
        return BN_EINVAL;
    return bn_file_write_atomic(path, (const uint8_t *)buf, (size_t)n, 0600);
}

int bnc__profile_new_id(bnc_profile *p)
{
    bn_identity_free(p->id);
    p->id = bn_identity_new();
    return p->id != NULL ? 0 : BN_ENOMEM;
}

int bnc__profile_empty(const bnc_profile *p)
{
    static const char *const files[] = {"profile.conf", "identity.key"};
    char path[BNC_PATH_MAX + 32];

    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (bnc_profile_path(p, path, sizeof path, files[i]) == 0 &&
            access(path, F_OK) == 0)
            return BN_EEXIST;
    return 0;
}

int bnc_profile_load_identity(bnc_profile *p, const char *pass, size_t passlen)
{
    char path[BNC_PATH_MAX + 32];
    int rc;

    if (p->id != NULL)
        return 0;
    rc = bnc_profile_path(p, path, sizeof path, "identity.key");
    if (rc != 0)
        return rc;
    p->id = bn_identity_new();
    if (p->id == NULL)
        return BN_ENOMEM;
    rc = bn_identity_load(p->id, path, pass, passlen);
    if (rc != 0) {
        bn_identity_free(p->id);
        p->id = NULL;
        if (rc == -ENOENT)
            rc = BN_EPROFILE;
    }
    return rc;
}

int bnc_profile_save_identity(const bnc_profile *p, const char *pass,
                              size_t passlen)
{
    char path[BNC_PATH_MAX + 32];
    int rc;

    if (p->id == NULL)
        return BN_EINVAL;
    rc = bnc__mkdir_private(p->dir);
    if (rc != 0)
        return rc;
    rc = bnc_profile_path(p, path, sizeof path, "identity.key");
    if (rc != 0)
        return rc;
    return bn_identity_save(p->id, path, pass, passlen,
                            bn_kdf_level_from_env());
}

/* ---- names of the enumerations ------------------------------------- */

typedef struct name_map {
    uint8_t v;
    const char *name;
} name_map;

static const name_map roles[] = {{BN_ROLE_ADMIN, "admin"},
                                 {BN_ROLE_MENTOR, "mentor"},
                                 {BN_ROLE_MENTEE, "mentee"},
                                 {BN_ROLE_AUDITOR, "auditor"},
                                 {0, NULL}};
static const name_map kinds[] = {{BN_KIND_REPORT, "report"},
                                 {BN_KIND_ACTION_PLAN, "action-plan"},
                                 {BN_KIND_REVIEW, "review"},
                                 {BN_KIND_NOTE, "note"},
                                 {0, NULL}};
static const name_map freqs[] = {
    {BN_FREQ_WEEKLY, "weekly"},       {BN_FREQ_FORTNIGHTLY, "fortnightly"},
    {BN_FREQ_MONTHLY, "monthly"},     {BN_FREQ_BIMONTHLY, "bimonthly"},
    {BN_FREQ_QUARTERLY, "quarterly"}, {0, NULL}};
static const name_map formats[] = {{BN_FORMAT_IN_PERSON, "in-person"},
                                   {BN_FORMAT_VIDEO, "video"},
                                   {BN_FORMAT_MIXED, "mixed"},
                                   {0, NULL}};
static const name_map statuses[] = {
    {BN_PAIR_PENDING, "pending"},     {BN_PAIR_ACTIVE, "active"},
    {BN_PAIR_COMPLETED, "completed"}, {BN_PAIR_WITHDRAWN, "withdrawn"},
    {BN_PAIR_ERASED, "erased"},       {0, NULL}};

static const char *map_name(const name_map *m, uint8_t v)
{
    for (; m->name != NULL; m++)
        if (m->v == v)
            return m->name;
    return "?";
}

static int map_parse(const name_map *m, const char *s, uint8_t *v)
{
    if (s == NULL)
        return BN_EINVAL;
    for (; m->name != NULL; m++)
        if (strcmp(m->name, s) == 0) {
            *v = m->v;
            return 0;
        }
    return BN_EINVAL;
}

const char *bnc_role_name(uint8_t r)
{
    return map_name(roles, r);
}
int bnc_role_parse(const char *s, uint8_t *r)
{
    return map_parse(roles, s, r);
}
const char *bnc_kind_name(uint8_t k)
{
    return map_name(kinds, k);
}
int bnc_kind_parse(const char *s, uint8_t *k)
{
    return map_parse(kinds, s, k);
}
const char *bnc_frequency_name(uint8_t f)
{
    return map_name(freqs, f);
}
int bnc_frequency_parse(const char *s, uint8_t *f)
{
    return map_parse(freqs, s, f);
}
const char *bnc_format_name(uint8_t f)
{
    return map_name(formats, f);
}
int bnc_format_parse(const char *s, uint8_t *f)
{
    return map_parse(formats, s, f);
}
const char *bnc_pair_status_name(uint8_t s)
{
    return map_name(statuses, s);
}

/* ---- what binome.h lets a caller read ------------------------------ */

const char *bnc_profile_dir(const bnc_profile *p)
{
    return p->dir;
}

const char *bnc_profile_host(const bnc_profile *p)
{
    return p->host;
}

uint16_t bnc_profile_port(const bnc_profile *p)
{
    return p->port;
}

uint64_t bnc_profile_account_id(const bnc_profile *p)
{
    return p->account_id;
}

const char *bnc_profile_name(const bnc_profile *p)
{
    return p->name;
}

uint8_t bnc_profile_role(const bnc_profile *p)
{
    return p->role;
}

uint64_t bnc_profile_programme_id(const bnc_profile *p)
{
    return p->programme_id;
}
