/*
 * bench-pipelined-add URL BIND_DN PASSWORD_FILE LDIF WINDOW
 *
 * A reference client for scripts/bench.sh, not part of idsync: it adds the entries of an LDIF
 * file (as `ldapsearch -LLL -o ldif-wrap=no` writes it: `name: value` and `name:: base64`
 * lines, entries separated by blank lines) with libldap's asynchronous ldap_add_ext, keeping up
 * to WINDOW adds in flight on one connection. It does nothing else: no planning, no checks, no
 * audit. Its rate is what pipelining alone gets out of the slapd under test, the ceiling that
 * idsync's initial load is measured against beside stock ldapadd (one add at a time).
 *
 * The password is read from a file, never from the command line. Prints "added N, failed M"
 * and exits 1 when any add failed or the input could not be read.
 */
#include <ldap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One attribute description and its values, in the order the LDIF gives them. */
struct attribute {
    char *name;
    struct berval *values;
    struct berval **pointers;
    size_t count, capacity;
};

struct entry {
    char *dn;
    struct attribute *attributes;
    size_t count, capacity;
};

static void *grow(void *items, size_t *capacity, size_t size) {
    *capacity = *capacity ? *capacity * 2 : 8;
    void *grown = realloc(items, *capacity * size);
    if (!grown) { perror("realloc"); exit(1); }
    return grown;
}

/* Decodes base64 in place; returns the decoded length. */
static size_t unbase64(char *text) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t length = 0;
    unsigned bits = 0, held = 0;
    for (char *cursor = text; *cursor && *cursor != '='; cursor++) {
        const char *found = strchr(alphabet, *cursor);
        if (!found) continue;
        held = (held << 6) | (unsigned)(found - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            text[length++] = (char)((held >> bits) & 0xff);
        }
    }
    return length;
}

static void add_value(struct entry *entry, const char *name, char *value, size_t length) {
    struct attribute *attribute = NULL;
    for (size_t i = 0; i < entry->count; i++)
        if (strcasecmp(entry->attributes[i].name, name) == 0) attribute = &entry->attributes[i];

    if (!attribute) {
        if (entry->count == entry->capacity)
            entry->attributes = grow(entry->attributes, &entry->capacity, sizeof *attribute);
        attribute = &entry->attributes[entry->count++];
        memset(attribute, 0, sizeof *attribute);
        attribute->name = strdup(name);
    }
    if (attribute->count == attribute->capacity)
        attribute->values = grow(attribute->values, &attribute->capacity, sizeof(struct berval));
    attribute->values[attribute->count++] = (struct berval){ length, value };
}

static void clear(struct entry *entry) {
    for (size_t i = 0; i < entry->count; i++) {
        struct attribute *attribute = &entry->attributes[i];
        for (size_t v = 0; v < attribute->count; v++) free(attribute->values[v].bv_val);
        free(attribute->values);
        free(attribute->pointers);
        free(attribute->name);
    }
    free(entry->attributes);
    free(entry->dn);
    memset(entry, 0, sizeof *entry);
}

/* Sends the entry as one add; libldap copies the request, so the entry can be freed after. */
static int send_add(LDAP *ld, struct entry *entry) {
    LDAPMod *mods = calloc(entry->count, sizeof *mods);
    LDAPMod **list = calloc(entry->count + 1, sizeof *list);
    for (size_t i = 0; i < entry->count; i++) {
        struct attribute *attribute = &entry->attributes[i];
        attribute->pointers = calloc(attribute->count + 1, sizeof *attribute->pointers);
        for (size_t v = 0; v < attribute->count; v++) attribute->pointers[v] = &attribute->values[v];
        mods[i] = (LDAPMod){ .mod_op = LDAP_MOD_ADD | LDAP_MOD_BVALUES,
                             .mod_type = attribute->name, .mod_bvalues = attribute->pointers };
        list[i] = &mods[i];
    }
    int id = 0;
    int rc = ldap_add_ext(ld, entry->dn, list, NULL, NULL, &id);
    free(list);
    free(mods);
    return rc;
}

/* Waits for one reply; counts it as added or failed. Returns 0 when the connection failed. */
static int take_reply(LDAP *ld, long *added, long *failed) {
    LDAPMessage *reply = NULL;
    if (ldap_result(ld, LDAP_RES_ANY, LDAP_MSG_ONE, NULL, &reply) <= 0) return 0;
    int code = LDAP_OTHER;
    ldap_parse_result(ld, reply, &code, NULL, NULL, NULL, NULL, 1);
    if (code == LDAP_SUCCESS) (*added)++; else (*failed)++;
    return 1;
}

static char *read_password(const char *path) {
    FILE *file = fopen(path, "r");
    if (!file) { perror(path); exit(1); }
    static char password[512];
    size_t length = fread(password, 1, sizeof password - 1, file);
    fclose(file);
    while (length && (password[length - 1] == '\n' || password[length - 1] == '\r')) length--;
    password[length] = 0;
    return password;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s URL BIND_DN PASSWORD_FILE LDIF WINDOW\n", argv[0]);
        return 2;
    }
    long window = atol(argv[5]);
    FILE *ldif = fopen(argv[4], "r");
    if (!ldif || window < 1) { fprintf(stderr, "cannot read %s or bad window\n", argv[4]); return 2; }

    LDAP *ld = NULL;
    int version = LDAP_VERSION3;
    char *password = read_password(argv[3]);
    struct berval credentials = { strlen(password), password };
    if (ldap_initialize(&ld, argv[1]) != LDAP_SUCCESS
        || ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_SUCCESS
        || ldap_sasl_bind_s(ld, argv[2], LDAP_SASL_SIMPLE, &credentials, NULL, NULL, NULL)
               != LDAP_SUCCESS) {
        fprintf(stderr, "bind as %s at %s failed\n", argv[2], argv[1]);
        return 1;
    }

    struct entry entry = { 0 };
    char *line = NULL;
    size_t capacity = 0;
    long number = 0, in_flight = 0, added = 0, failed = 0;
    ssize_t length;
    do {
        length = getline(&line, &capacity, ldif);
        number++;
        while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r')) line[--length] = 0;

        // A blank line or the end of the file closes the entry: send it, then keep at most
        // WINDOW adds waiting for their replies.
        if (length <= 0) {
            if (!entry.dn) continue;
            if (send_add(ld, &entry) != LDAP_SUCCESS) { fprintf(stderr, "send failed\n"); return 1; }
            clear(&entry);
            in_flight++;
            while (in_flight >= window) {
                if (!take_reply(ld, &added, &failed)) { fprintf(stderr, "connection lost\n"); return 1; }
                in_flight--;
            }
            continue;
        }

        char *colon = strchr(line, ':');
        if (!colon || line[0] == ' ' || line[0] == '#') {
            fprintf(stderr, "%s:%ld: not a `name: value` line (wrapped LDIF is not read)\n",
                    argv[4], number);
            return 1;
        }
        *colon = 0;
        char *value = colon + 1;
        int encoded = *value == ':';
        if (encoded) value++;
        while (*value == ' ') value++;
        value = strdup(value);
        size_t value_length = encoded ? unbase64(value) : strlen(value);
        value[value_length] = 0;

        if (strcasecmp(line, "dn") == 0) { entry.dn = value; continue; }
        add_value(&entry, line, value, value_length);
    } while (length >= 0);

    while (in_flight > 0) {
        if (!take_reply(ld, &added, &failed)) { fprintf(stderr, "connection lost\n"); return 1; }
        in_flight--;
    }
    printf("added %ld, failed %ld\n", added, failed);
    ldap_unbind_ext_s(ld, NULL, NULL);
    return failed ? 1 : 0;
}
