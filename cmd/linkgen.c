/* linkgen: relocation specs to GNU ld scripts and copy tables, verified
 * after the link.  Options, then linkgen/. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwm_err.h"
#include "fwm_table.h"
#include "lg_emit.h"
#include "lg_spec.h"
#include "lg_verify.h"

static const char usage[] =
"usage: linkgen generate --spec FILE [--ld SCRIPT | --map MAP] [--closure ELF [--pull-all]]\n"
"                        -o DIR [--format text|json|csv|md]\n"
"       linkgen check    --spec FILE [--ld SCRIPT | --map MAP] [--format FMT]\n"
"       linkgen verify   --spec FILE --elf ELF [--map MAP] [--ld SCRIPT] [--format FMT]\n"
"       linkgen explain  --spec FILE --elf ELF [--map MAP] [--ld SCRIPT] [--format FMT] SYMBOL\n"
"       linkgen closure  --spec FILE --elf ELF [--map MAP] [--ld SCRIPT] [--format FMT]\n"
"\n"
"commands:\n"
"  generate   write DIR/linkgen.ld (output sections, copy and zero tables, symbols;\n"
"             INSERT AFTER the spec's anchor), DIR/memory.ld (every region),\n"
"             DIR/base.ld (the vendor script without MEMORY) and DIR/ldflags:\n"
"             -Wl,-T,DIR/memory.ld -Wl,-T,DIR/linkgen.ld -Wl,-T,DIR/base.ld\n"
"  check      read the spec and its regions; list the rules by precedence\n"
"  verify     after the link: every rule matched something, every symbol lies in\n"
"             its rule's region with its load copy in the load region, the copy\n"
"             and zero tables are right, relocated code calls nothing in flash\n"
"             (unless callees=allow), no region overflows; exit 1 on a violation\n"
"  explain    which rule placed SYMBOL, which rules it outranked, where it is\n"
"  closure    what relocated code calls or references outside its region,\n"
"             veneers and literal pools included\n"
"\n"
"options:\n"
"  --spec FILE     the relocation spec (grammar in linkgen(1))\n"
"  --ld SCRIPT     regions from this script's MEMORY block; generate also writes it\n"
"                  to DIR/base.ld without MEMORY (overrides the spec's 'regions ld')\n"
"  --map MAP       GNU ld map: regions (generate, check) when the spec names none;\n"
"                  input sections and their files (verify, explain, closure, and\n"
"                  generate --closure)\n"
"  --elf ELF       the linked firmware\n"
"  --closure ELF   generate: pull the flash callees of callees=pull rules into\n"
"                  their region, read from this earlier link (and --map)\n"
"  --pull-all      with --closure: pull for every relocated code rule\n"
"  -o, --output DIR  where generate writes\n"
"  --format FMT    text (default), json, csv or md\n"
"  -h, --help      show this help\n"
"  --version       show the version\n"
"\n"
"exit status: 0 ok, 1 a violation (verify) or SYMBOL not found (explain),\n"
"2 usage error, 3 bad input (a spec, script, map or ELF error: FILE:LINE: what)\n";

enum { OPT_SPEC = 256, OPT_LD, OPT_MAP, OPT_ELF, OPT_CLOSURE, OPT_PULL_ALL, OPT_FORMAT, OPT_VERSION };

static int usage_error(const char *fmt, const char *arg)
{
	fputs("linkgen: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see linkgen --help)\n", stderr);
	return FWM_EXIT_USAGE;
}

static int input_error(const struct fwm_err *err)
{
	fprintf(stderr, "linkgen: %s\n", err->msg);
	return FWM_EXIT_INPUT;
}

struct args {
	const char *spec, *ld, *map, *elf, *closure, *outdir, *symbol;
	int pull_all;
	enum fwm_format fmt;
};

/* The spec, resolved against its regions. */
static int load_spec(const struct args *a, int map_is_regions, struct lg_spec **s, struct lg_regions *r)
{
	struct fwm_err err = { "" };
	if (lg_spec_load(a->spec, s, &err) < 0)
		return input_error(&err);
	const char *map = map_is_regions && !a->ld && !(*s)->ld_path && !(*s)->map_path ? a->map : NULL;
	if (lg_spec_resolve(*s, a->ld, map, r, &err) < 0) {
		lg_spec_free(*s);
		*s = NULL;
		return input_error(&err);
	}
	return 0;
}

static const struct fwm_column osec_cols[] = {
	{ "section", "Section", FWM_COL_STR }, { "region", "Region", FWM_COL_STR },
	{ "tier", "Tier", FWM_COL_STR },       { "phase", "Phase", FWM_COL_STR },
	{ "init", "Init", FWM_COL_STR },       { "align", "Align", FWM_COL_INT },
	{ "rules", "Rules (spec lines)", FWM_COL_STR },
};

/* The plan as a table: one row per output section. */
static int plan_table(const struct lg_spec *s, const struct lg_regions *r, const struct lg_plan *p,
		      struct fwm_table *t, char ***keep)
{
	fwm_table_init(t, osec_cols, sizeof osec_cols / sizeof *osec_cols);
	*keep = calloc(p->n + 1, sizeof **keep);
	if (!*keep)
		return -ENOMEM;
	for (size_t i = 0; i < p->n; i++) {
		const struct lg_osec *o = &p->v[i];
		struct fwm_cell *c = fwm_table_add(t);
		char *lines = malloc(o->nrules * 12 + 1);
		if (!c || !lines) {
			free(lines);
			return -ENOMEM;
		}
		size_t w = 0;
		lines[0] = 0;
		for (size_t j = 0; j < o->nrules; j++) {
			const struct lg_rule *u = &s->rules[o->rules[j]];
			w += (size_t)sprintf(lines + w, "%s%u%s", j ? "," : "", u->line, u->pulled ? "+" : "");
		}
		(*keep)[i] = lines;
		c[0].s = o->name;
		c[1].s = r->set.v[o->region].name;
		c[2].s = lg_tier_name(o->tier);
		c[3].s = o->copies ? lg_phase_name(o->phase) : "-";
		c[4].s = o->bss ? (o->copies ? "zero" : "none") : (o->copies ? "copy" : "in place");
		c[5].u = o->align;
		c[6].s = lines;
	}
	return 0;
}

static int print_plan(const struct lg_spec *s, const struct lg_regions *r, const struct lg_plan *p, char **files,
		      size_t pulled, enum fwm_format fmt)
{
	struct fwm_table t;
	char **keep = NULL;
	int rc = plan_table(s, r, p, &t, &keep);
	if (rc == 0 && fmt == FWM_FMT_JSON) {
		json_t *doc = json_object(), *fa = json_array();
		json_object_set_new(doc, "spec", fwm_json_string(s->path));
		json_object_set_new(doc, "anchor", fwm_json_string(s->anchor));
		json_object_set_new(doc, "insert", fwm_json_string(s->insert_before ? "before" : "after"));
		json_object_set_new(doc, "load_region", r->load >= 0 ? fwm_json_string(r->set.v[r->load].name) : json_null());
		json_object_set_new(doc, "sections", fwm_table_json(&t));
		json_object_set_new(doc, "pulled", json_integer((json_int_t)pulled));
		for (char **f = files; f && *f; f++)
			json_array_append_new(fa, fwm_json_string(*f));
		json_object_set_new(doc, "files", fa);
		rc = fwm_json_dump(doc, stdout);
		json_decref(doc);
	} else if (rc == 0) {
		fwm_table_print(&t, fmt, stdout);
		if (fmt == FWM_FMT_TEXT) {
			printf("\n%zu rules (%zu pulled in as callees), %zu output sections, inserted %s %s; load region %s\n",
			       s->nrules, pulled, p->n, s->insert_before ? "before" : "after", s->anchor,
			       r->load >= 0 ? r->set.v[r->load].name : "none");
			for (char **f = files; f && *f; f++)
				printf("wrote %s\n", *f);
		}
	}
	for (size_t i = 0; keep && i < p->n; i++)
		free(keep[i]);
	free(keep);
	fwm_table_free(&t);
	return rc;
}

static int cmd_generate(const struct args *a, int check_only)
{
	struct lg_spec *s;
	struct lg_regions r;
	struct fwm_err err = { "" };
	int rc = load_spec(a, 1, &s, &r);
	if (rc)
		return rc;
	size_t pulled = 0;
	const char *vendor = a->ld ? a->ld : s->ld_path;
	if (vendor && lg_check_anchor(s, vendor, &err) < 0) {
		rc = input_error(&err);
		goto out;
	}
	if (a->closure) {
		struct lg_session *ss;
		if (lg_session_open(s, &r, a->closure, a->map, &ss, &err) < 0) {
			rc = input_error(&err);
			goto out;
		}
		if (lg_closure_pull(ss, s, a->pull_all, &pulled, &err) < 0) {
			lg_session_close(ss);
			rc = input_error(&err);
			goto out;
		}
		lg_session_close(ss);
	}
	struct lg_plan p;
	if (lg_plan_build(s, &r, &p, &err) < 0) {
		rc = input_error(&err);
		goto out;
	}
	char **files = NULL;
	if (!check_only) {
		struct lg_genopts go = { a->outdir, vendor };
		if (lg_generate(s, &r, &p, &go, &files, &err) < 0) {
			lg_plan_free(&p);
			rc = input_error(&err);
			goto out;
		}
	}
	if (print_plan(s, &r, &p, files, pulled, a->fmt) < 0)
		rc = FWM_EXIT_INPUT;
	lg_strv_free(files);
	lg_plan_free(&p);
out:
	lg_regions_free(&r);
	lg_spec_free(s);
	return rc;
}

static int cmd_after_link(const struct args *a, int which)
{
	struct lg_spec *s;
	struct lg_regions r;
	struct fwm_err err = { "" };
	int rc = load_spec(a, 1, &s, &r);
	if (rc)
		return rc;
	if (which == 'v' && !a->map) {
		char lines[200] = "";
		size_t o = 0;
		for (size_t i = 0; i < s->nrules && o < sizeof lines; i++)
			if (s->rules[i].sel != LG_SEL_SYMBOL)
				o += (size_t)snprintf(lines + o, sizeof lines - o, "%s%u", o ? ", " : "", s->rules[i].line);
		if (o) {
			fprintf(stderr, "linkgen: verify: the rules at %s lines %s select files; give --map (ld -Map) to check them\n",
				s->path, lines);
			lg_regions_free(&r);
			lg_spec_free(s);
			return FWM_EXIT_USAGE;
		}
	}
	struct lg_session *ss;
	if (lg_session_open(s, &r, a->elf, a->map, &ss, &err) < 0) {
		rc = input_error(&err);
		goto out;
	}
	if (which == 'v') {
		struct lg_verify v;
		if (lg_verify_run(ss, &v, &err) < 0)
			rc = input_error(&err);
		else {
			if (lg_verify_print(ss, &v, a->fmt, stdout) < 0)
				rc = FWM_EXIT_INPUT;
			else
				rc = v.nviolations ? FWM_EXIT_BREACH : 0;
			lg_verify_free(&v);
		}
	} else if (which == 'e') {
		int x = lg_explain(ss, a->symbol, a->fmt, stdout, &err);
		rc = x < 0 ? input_error(&err) : x ? FWM_EXIT_BREACH : 0;
	} else {
		if (lg_closure_print(ss, a->fmt, stdout, &err) < 0)
			rc = input_error(&err);
	}
	lg_session_close(ss);
out:
	lg_regions_free(&r);
	lg_spec_free(s);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "spec", required_argument, NULL, OPT_SPEC },
		{ "ld", required_argument, NULL, OPT_LD },
		{ "map", required_argument, NULL, OPT_MAP },
		{ "elf", required_argument, NULL, OPT_ELF },
		{ "closure", required_argument, NULL, OPT_CLOSURE },
		{ "pull-all", no_argument, NULL, OPT_PULL_ALL },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ 0 },
	};
	static const struct {
		const char *name;
		int id;
	} cmds[] = { { "generate", 'g' }, { "check", 'c' }, { "verify", 'v' }, { "explain", 'e' }, { "closure", 'k' } };
	struct args a = { 0 };
	const char *format = "text";
	int c;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_SPEC: a.spec = optarg; break;
		case OPT_LD: a.ld = optarg; break;
		case OPT_MAP: a.map = optarg; break;
		case OPT_ELF: a.elf = optarg; break;
		case OPT_CLOSURE: a.closure = optarg; break;
		case OPT_PULL_ALL: a.pull_all = 1; break;
		case 'o': a.outdir = optarg; break;
		case OPT_FORMAT: format = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		case OPT_VERSION: printf("linkgen (fwmem) %s\n", FWM_VERSION); return 0;
		default:
			fputs("linkgen: see linkgen --help\n", stderr);
			return FWM_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return usage_error("%s", "missing COMMAND: generate, check, verify, explain or closure");
	const char *cmd = argv[optind++];
	int which = 0;
	for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
		if (strcmp(cmd, cmds[i].name) == 0)
			which = cmds[i].id;
	if (!which)
		return usage_error("unknown command '%s': generate, check, verify, explain or closure", cmd);
	if (which == 'e') {
		if (optind >= argc)
			return usage_error("%s", "explain wants a SYMBOL");
		a.symbol = argv[optind++];
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	int fmt = fwm_format_parse(format);
	if (fmt < 0)
		return usage_error("unknown format '%s': text, json, csv or md", format);
	a.fmt = (enum fwm_format)fmt;
	if (!a.spec)
		return usage_error("%s: wants --spec FILE", cmd);
	if (a.ld && a.map && (which == 'g' || which == 'c') && !a.closure)
		return usage_error("%s", "give the regions once: --ld or --map, not both");
	if (which == 'g' && !a.outdir)
		return usage_error("%s", "generate wants -o DIR");
	if (which != 'g' && a.outdir)
		return usage_error("%s does not take -o", cmd);
	if (which == 'g' || which == 'c') {
		if (a.elf)
			return usage_error("%s does not take --elf (generate reads an earlier link with --closure)", cmd);
		if (which == 'c' && a.closure)
			return usage_error("%s", "check does not take --closure");
		if (a.pull_all && !a.closure)
			return usage_error("%s", "--pull-all goes with --closure ELF");
	} else {
		if (!a.elf)
			return usage_error("%s wants --elf ELF", cmd);
		if (a.closure || a.pull_all)
			return usage_error("%s does not take --closure or --pull-all", cmd);
	}
	int rc = which == 'g' || which == 'c' ? cmd_generate(&a, which == 'c') : cmd_after_link(&a, which);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "linkgen: cannot write the output\n");
		return FWM_EXIT_INPUT;
	}
	return rc;
}
