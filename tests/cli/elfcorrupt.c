/* elfcorrupt: make broken ELF files for the bad-input tests.
 *
 *   elfcorrupt list IN                 one line per section:
 *                                      "index offset size type name"
 *   elfcorrupt IN OUT EDIT...          apply the edits in order, write OUT
 *
 * Edits:
 *   truncate N                 keep the first N bytes
 *   ehdr FIELD VALUE           e_type e_machine e_entry e_phoff e_shoff e_flags
 *                              e_ehsize e_phentsize e_phnum e_shentsize e_shnum
 *                              e_shstrndx
 *   shdr SEC FIELD VALUE       sh_name sh_type sh_flags sh_addr sh_offset
 *                              sh_size sh_link sh_info sh_addralign sh_entsize
 *   phdr N FIELD VALUE         p_type p_offset p_vaddr p_paddr p_filesz
 *                              p_memsz p_flags p_align
 *   poke OFFSET BYTE           set one byte of the file
 *   lastbyte SEC BYTE          set the last byte of a section's contents
 *   fill SEC BYTE              set every byte of a section's contents
 * SEC is a section name (first match) or #INDEX.  VALUE and N are terms
 * joined by + or -: a number (decimal or 0x hex), "filesize", @SEC (its
 * sh_offset), ^SEC (its sh_offset + sh_size), #SEC (its index).
 * Names and offsets are looked up in the input as read, before any edit.
 * Handles ELF32 and ELF64, either byte order.  Exit 0 ok, 2 usage, 1 error. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *buf, *orig;
static size_t len, orig_len;
static int is64, isbe;

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "elfcorrupt: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(1);
}

static uint64_t rd(const unsigned char *b, size_t blen, size_t off, int n)
{
    uint64_t v = 0;
    if (off > blen || (size_t)n > blen - off)
        die("read past the end of the input (%s)", "corrupt input?");
    for (int i = 0; i < n; i++)
        v |= (uint64_t)b[off + (isbe ? (size_t)(n - 1 - i) : (size_t)i)] << (8 * i);
    return v;
}

static void wr(size_t off, int n, uint64_t v)
{
    if (off > len || (size_t)n > len - off)
        die("write past the end of the file (%s)", "truncate later, not earlier");
    for (int i = 0; i < n; i++)
        buf[off + (isbe ? (size_t)(n - 1 - i) : (size_t)i)] = (unsigned char)(v >> (8 * i));
}

struct field { const char *name; int off32, size32, off64, size64; };

static const struct field ehdr_fields[] = {
    { "e_type", 16, 2, 16, 2 },       { "e_machine", 18, 2, 18, 2 },
    { "e_entry", 24, 4, 24, 8 },      { "e_phoff", 28, 4, 32, 8 },
    { "e_shoff", 32, 4, 40, 8 },      { "e_flags", 36, 4, 48, 4 },
    { "e_ehsize", 40, 2, 52, 2 },     { "e_phentsize", 42, 2, 54, 2 },
    { "e_phnum", 44, 2, 56, 2 },      { "e_shentsize", 46, 2, 58, 2 },
    { "e_shnum", 48, 2, 60, 2 },      { "e_shstrndx", 50, 2, 62, 2 },
    { 0, 0, 0, 0, 0 }
};
static const struct field shdr_fields[] = {
    { "sh_name", 0, 4, 0, 4 },        { "sh_type", 4, 4, 4, 4 },
    { "sh_flags", 8, 4, 8, 8 },       { "sh_addr", 12, 4, 16, 8 },
    { "sh_offset", 16, 4, 24, 8 },    { "sh_size", 20, 4, 32, 8 },
    { "sh_link", 24, 4, 40, 4 },      { "sh_info", 28, 4, 44, 4 },
    { "sh_addralign", 32, 4, 48, 8 }, { "sh_entsize", 36, 4, 56, 8 },
    { 0, 0, 0, 0, 0 }
};
static const struct field phdr_fields[] = {
    { "p_type", 0, 4, 0, 4 },         { "p_offset", 4, 4, 8, 8 },
    { "p_vaddr", 8, 4, 16, 8 },       { "p_paddr", 12, 4, 24, 8 },
    { "p_filesz", 16, 4, 32, 8 },     { "p_memsz", 20, 4, 40, 8 },
    { "p_flags", 24, 4, 4, 4 },       { "p_align", 28, 4, 48, 8 },
    { 0, 0, 0, 0, 0 }
};

static const struct field *find_field(const struct field *f, const char *name)
{
    for (; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    die("unknown field %s", name);
    return 0;
}

static int foff(const struct field *f) { return is64 ? f->off64 : f->off32; }
static int fsize(const struct field *f) { return is64 ? f->size64 : f->size32; }

/* Header values of the input as read (orig). */
static uint64_t ehdr_get(const char *name)
{
    const struct field *f = find_field(ehdr_fields, name);
    return rd(orig, orig_len, (size_t)foff(f), fsize(f));
}

static size_t shdr_at(uint64_t idx)
{
    uint64_t shoff = ehdr_get("e_shoff"), shentsize = ehdr_get("e_shentsize");
    return (size_t)(shoff + idx * shentsize);
}

static uint64_t shdr_get(uint64_t idx, const char *name)
{
    const struct field *f = find_field(shdr_fields, name);
    return rd(orig, orig_len, shdr_at(idx) + (size_t)foff(f), fsize(f));
}

static uint64_t shnum(void)
{
    uint64_t n = ehdr_get("e_shnum");
    return n ? n : shdr_get(0, "sh_size");
}

static const char *sec_name(uint64_t idx)
{
    uint64_t strndx = ehdr_get("e_shstrndx");
    uint64_t base, name;

    if (strndx == 0xffff)
        strndx = shdr_get(0, "sh_link");
    base = shdr_get(strndx, "sh_offset");
    name = shdr_get(idx, "sh_name");
    if (base + name >= orig_len)
        return "?";
    if (!memchr(orig + base + name, 0, orig_len - (size_t)(base + name)))
        return "?";
    return (const char *)orig + base + name;
}

static uint64_t sec_index(const char *sec)
{
    uint64_t n = shnum();

    if (sec[0] == '#') {
        char *end;
        uint64_t i = strtoull(sec + 1, &end, 0);
        if (*end || i >= n)
            die("bad section index %s", sec);
        return i;
    }
    for (uint64_t i = 0; i < n; i++)
        if (strcmp(sec_name(i), sec) == 0)
            return i;
    die("no section named %s", sec);
    return 0;
}

static uint64_t term(const char *t, size_t n)
{
    char tmp[256];
    char *end;
    uint64_t v;

    if (n == 0 || n >= sizeof tmp)
        die("bad value term in '%s'", t);
    memcpy(tmp, t, n);
    tmp[n] = 0;
    if (strcmp(tmp, "filesize") == 0)
        return orig_len;
    if (tmp[0] == '@')
        return shdr_get(sec_index(tmp + 1), "sh_offset");
    if (tmp[0] == '^') {
        uint64_t i = sec_index(tmp + 1);
        return shdr_get(i, "sh_offset") + shdr_get(i, "sh_size");
    }
    if (tmp[0] == '#' && (tmp[1] < '0' || tmp[1] > '9'))
        return sec_index(tmp + 1);
    errno = 0;
    v = strtoull(tmp, &end, 0);
    if (*end || errno)
        die("bad number '%s'", tmp);
    return v;
}

/* Terms joined by + and -.  A '+' or '-' is an operator only when a term
 * starts right after it (a digit, @, ^, # or "filesize"), so section names
 * such as .note.gnu.build-id need no quoting. */
static int starts_term(const char *p)
{
    return (*p >= '0' && *p <= '9') || *p == '@' || *p == '^' || *p == '#' ||
           strncmp(p, "filesize", 8) == 0;
}

static uint64_t value(const char *s)
{
    uint64_t v = 0;
    int neg = 0;
    const char *p = s;

    for (;;) {
        const char *q = p + 1;
        while (*q && !((*q == '+' || *q == '-') && starts_term(q + 1)))
            q++;
        uint64_t t = term(p, (size_t)(q - p));
        v = neg ? v - t : v + t;
        if (!*q)
            return v;
        neg = *q == '-';
        p = q + 1;
    }
}

static void write_field(size_t base, const struct field *f, uint64_t v)
{
    wr(base + (size_t)foff(f), fsize(f), v);
}

static int usage(void)
{
    fprintf(stderr,
            "usage: elfcorrupt list IN\n"
            "       elfcorrupt IN OUT EDIT...   (see the comment at the top of elfcorrupt.c)\n");
    return 2;
}

static void load(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n;

    if (!f)
        die("cannot open %s", path);
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
        die("cannot size %s", path);
    len = orig_len = (size_t)n;
    buf = malloc(len + 1);
    orig = malloc(len + 1);
    if (!buf || !orig)
        die("out of memory reading %s", path);
    if (len && fread(buf, 1, len, f) != len)
        die("cannot read %s", path);
    fclose(f);
    memcpy(orig, buf, len);
    if (len < 52 || memcmp(buf, "\177ELF", 4) != 0)
        die("%s is not an ELF file", path);
    is64 = buf[4] == 2;
    isbe = buf[5] == 2;
}

int main(int argc, char **argv)
{
    int i;
    FILE *f;

    if (argc == 3 && strcmp(argv[1], "list") == 0) {
        load(argv[2]);
        for (uint64_t s = 0; s < shnum(); s++)
            printf("%llu %llu %llu %llu %s\n", (unsigned long long)s,
                   (unsigned long long)shdr_get(s, "sh_offset"),
                   (unsigned long long)shdr_get(s, "sh_size"),
                   (unsigned long long)shdr_get(s, "sh_type"), sec_name(s));
        return 0;
    }
    if (argc < 4)
        return usage();
    load(argv[1]);
    for (i = 3; i < argc; ) {
        const char *op = argv[i];
        if (strcmp(op, "truncate") == 0 && i + 1 < argc) {
            uint64_t n = value(argv[i + 1]);
            if (n < len)
                len = (size_t)n;
            i += 2;
        } else if (strcmp(op, "ehdr") == 0 && i + 2 < argc) {
            write_field(0, find_field(ehdr_fields, argv[i + 1]), value(argv[i + 2]));
            i += 3;
        } else if (strcmp(op, "shdr") == 0 && i + 3 < argc) {
            uint64_t idx = sec_index(argv[i + 1]);
            write_field(shdr_at(idx), find_field(shdr_fields, argv[i + 2]), value(argv[i + 3]));
            i += 4;
        } else if (strcmp(op, "phdr") == 0 && i + 3 < argc) {
            uint64_t idx = value(argv[i + 1]);
            size_t at = (size_t)(ehdr_get("e_phoff") + idx * ehdr_get("e_phentsize"));
            if (idx >= ehdr_get("e_phnum"))
                die("no program header %s", argv[i + 1]);
            write_field(at, find_field(phdr_fields, argv[i + 2]), value(argv[i + 3]));
            i += 4;
        } else if (strcmp(op, "poke") == 0 && i + 2 < argc) {
            wr((size_t)value(argv[i + 1]), 1, value(argv[i + 2]));
            i += 3;
        } else if ((strcmp(op, "lastbyte") == 0 || strcmp(op, "fill") == 0) && i + 2 < argc) {
            uint64_t idx = sec_index(argv[i + 1]);
            uint64_t off = shdr_get(idx, "sh_offset"), size = shdr_get(idx, "sh_size");
            uint64_t byte = value(argv[i + 2]);
            if (size == 0)
                die("section %s is empty", argv[i + 1]);
            for (uint64_t o = op[0] == 'f' ? off : off + size - 1; o < off + size; o++)
                wr((size_t)o, 1, byte);
            i += 3;
        } else {
            fprintf(stderr, "elfcorrupt: bad edit '%s' (or missing arguments)\n", op);
            return usage();
        }
    }
    f = fopen(argv[2], "wb");
    if (!f)
        die("cannot create %s", argv[2]);
    if ((len && fwrite(buf, 1, len, f) != len) || fclose(f) != 0)
        die("cannot write %s", argv[2]);
    free(buf);
    free(orig);
    return 0;
}
