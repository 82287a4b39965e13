/*
 * bn_invite.c: formatting and parsing invitation codes, and HOST:PORT
 * (bn_invite.h has the layout); a code from a person is hostile input.
 */
#include "bn_invite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define PREFIX "BN1."
#define LINK_PREFIX "BD1."
#define SERVER_PREFIX "BS1."
#define B64_LEN 86 /* 64 bytes, URL-safe, no padding */

int bn_hostport_parse(const char *s, char host[BN_INVITE_HOST_MAX + 1],
                      uint16_t *port)
{
    const char *colon;
    const char *h = s;
    size_t hlen;

    if (s == NULL)
        return BN_EINVAL;
    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (end == NULL || end[1] != ':')
            return BN_EINVAL;
        h = s + 1;
        hlen = (size_t)(end - h);
        colon = end + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL)
            return BN_EINVAL;
        hlen = (size_t)(colon - s);
        if (memchr(s, ':', hlen) != NULL)
            return BN_EINVAL; /* bare IPv6 needs brackets */
    }
    if (hlen == 0 || hlen > BN_INVITE_HOST_MAX)
        return BN_EINVAL;
    for (size_t i = 0; i < hlen; i++) {
        unsigned char ch = (unsigned char)h[i];
        if (ch <= ' ' || ch >= 0x7f || strchr("/@[]", ch) != NULL)
            return BN_EINVAL;
    }
    const char *p = colon + 1;
    if (*p == '\0' || strlen(p) > 5)
        return BN_EINVAL;
    unsigned long v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return BN_EINVAL;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v == 0 || v > 65535)
        return BN_EINVAL;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (uint16_t)v;
    return 0;
}

/* code_format writes prefix || base64url(raw) || "." || host:port. */
static int code_format(char *out, size_t size, const char *prefix,
                       const uint8_t *raw, size_t rawlen, const char *host,
                       uint16_t port)
{
    char b64[B64_LEN + 1];
    int n;

    sodium_bin2base64(b64, sizeof b64, raw, rawlen,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (strchr(host, ':') != NULL)
        n = snprintf(out, size, "%s%s.[%s]:%u", prefix, b64, host,
                     (unsigned)port);
    else
        n = snprintf(out, size, "%s%s.%s:%u", prefix, b64, host,
                     (unsigned)port);
    sodium_memzero(b64, sizeof b64);
    if (n < 0 || (size_t)n >= size)
        return BN_EINVAL;
    return 0;
}

/* code_parse reads what code_format wrote, rawlen bytes into raw. */
static int code_parse(const char *code, const char *prefix, uint8_t *raw,
                      size_t rawlen, char host[BN_INVITE_HOST_MAX + 1],
                      uint16_t *port)
{
    size_t b64len = sodium_base64_ENCODED_LEN(
                        rawlen, sodium_base64_VARIANT_URLSAFE_NO_PADDING) -
                    1;
    size_t got = 0;
    const char *end = NULL;

    if (code == NULL || strncmp(code, prefix, strlen(prefix)) != 0 ||
        strlen(code) > BN_INVITE_CODE_MAX)
        return BN_EINVAL;
    code += strlen(prefix);
    if (strlen(code) < b64len + 2 || code[b64len] != '.')
        return BN_EINVAL;
    if (sodium_base642bin(raw, rawlen, code, b64len, NULL, &got, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        got != rawlen || end != code + b64len)
        return BN_EINVAL;
    return bn_hostport_parse(code + b64len + 1, host, port);
}

/* An invitation or a device link code: prefix, then server_pk || token. */
static int key_token_format(char *out, size_t size, const bn_invite_code *c,
                            const char *prefix)
{
    uint8_t raw[64];
    int rc;

    memcpy(raw, c->server_pk, 32);
    memcpy(raw + 32, c->token, 32);
    rc = code_format(out, size, prefix, raw, sizeof raw, c->host, c->port);
    sodium_memzero(raw, sizeof raw);
    return rc;
}

static int key_token_parse(bn_invite_code *c, const char *code,
                           const char *prefix)
{
    uint8_t raw[64];
    int rc;

    memset(c, 0, sizeof *c);
    rc = code_parse(code, prefix, raw, sizeof raw, c->host, &c->port);
    if (rc == 0) {
        memcpy(c->server_pk, raw, 32);
        memcpy(c->token, raw + 32, 32);
    } else {
        sodium_memzero(c, sizeof *c);
    }
    sodium_memzero(raw, sizeof raw);
    return rc;
}

int bn_invite_format(char *out, size_t size, const bn_invite_code *c)
{
    return key_token_format(out, size, c, PREFIX);
}

int bn_invite_parse(bn_invite_code *c, const char *code)
{
    return key_token_parse(c, code, PREFIX);
}

int bn_link_code_format(char *out, size_t size, const bn_invite_code *c)
{
    return key_token_format(out, size, c, LINK_PREFIX);
}

int bn_link_code_parse(bn_invite_code *c, const char *code)
{
    return key_token_parse(c, code, LINK_PREFIX);
}

int bn_server_code_format(char *out, size_t size, const uint8_t server_pk[32],
                          const char *host, uint16_t port)
{
    return code_format(out, size, SERVER_PREFIX, server_pk, 32, host, port);
}

int bn_server_code_parse(bn_invite_code *c, const char *code)
{
    int rc;

    memset(c, 0, sizeof *c);
    if (code != NULL && strncmp(code, PREFIX, strlen(PREFIX)) == 0)
        rc = bn_invite_parse(c, code);
    else
        rc = code_parse(code, SERVER_PREFIX, c->server_pk, 32, c->host,
                        &c->port);
    sodium_memzero(c->token, sizeof c->token);
    if (rc != 0)
        memset(c, 0, sizeof *c);
    return rc;
}
