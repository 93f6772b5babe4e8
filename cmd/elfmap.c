/* elfmap: where every byte of a firmware ELF goes.  Options, then lib. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwm_diff.h"
#include "fwm_elfmap.h"
#include "fwm_stack.h"

static const char usage[] =
"usage: elfmap [--ld FILE] [--map FILE] [--format text|json|csv|md] COMMAND ELF\n"
"       elfmap [--ld FILE] [--all] [--limit N] [--format FMT] diff OLD NEW\n"
"       elfmap --budget FILE [--baseline OLD] [--format text|json|md|junit|github] check ELF\n"
"       elfmap [--entry NAME|GLOB]... [--worst N] [--su DIR|FILE]... [--ci DIR|FILE]...\n"
"              [--annotations FILE] [--format FMT] stack ELF\n"
"\n"
"commands:\n"
"  regions    each memory region: origin, length, used, free and what fills it\n"
"  sections   every section: region, VMA, LMA, size, alignment, flags; size totals\n"
"  symbols    symbols by size   [--region R] [--section S] [--type func|object|other]\n"
"                               [--name GLOB] [--all]\n"
"  tree       size by directory, source file and compile unit   [--depth N]\n"
"  snapshot   every report in one JSON document, a baseline for diff and check\n"
"  diff       size changes per region, section, directory, file and symbol\n"
"             between two ELFs or snapshots   [--all] [--limit N]\n"
"  check      size budgets (warn and fail levels; growth against --baseline);\n"
"             exit 1 when one fails   --budget FILE [--baseline OLD]\n"
"  stack      worst-case stack depth of main, thread entries and every handler\n"
"             of the vector table, with the worst paths   [--entry NAME|GLOB]\n"
"             [--worst N] [--su DIR|FILE] [--ci DIR|FILE] [--annotations FILE]\n"
"\n"
"options:\n"
"  --ld FILE       take the memory regions from this linker script's MEMORY block\n"
"  --map FILE      GNU ld map file: regions, and archive/object attribution\n"
"  --format FMT    text (default), json, csv or md; check: text, json, md,\n"
"                  junit or github (workflow annotations)\n"
"  --color WHEN    auto (default: on a terminal, unless NO_COLOR is set), always, never\n"
"  -h, --help      show this help\n"
"  --version       show the version\n";

enum { OPT_LD = 256, OPT_MAP, OPT_FORMAT, OPT_COLOR, OPT_VERSION, OPT_REGION, OPT_SECTION,
       OPT_TYPE, OPT_NAME, OPT_ALL, OPT_DEPTH, OPT_LIMIT, OPT_BUDGET, OPT_BASELINE, OPT_ENTRY,
       OPT_WORST, OPT_SU, OPT_CI, OPT_ANNOTATIONS };

static int usage_error(const char *fmt, const char *arg)
{
	fputs("elfmap: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see elfmap --help)\n", stderr);
	return FWM_EXIT_USAGE;
}

/* diff OLD NEW */
static int run_diff(const char *old, const char *new, const char *ld, const struct fwm_diffopts *d,
		    const struct fwm_out *out)
{
	struct fwm_snapshot a, b;
	struct fwm_err err = { "" };
	int rc = fwm_snapshot_load(old, ld, &a, &err);
	if (rc == 0) {
		rc = fwm_snapshot_load(new, ld, &b, &err);
		if (rc == 0) {
			rc = fwm_diff_write(&a, &b, d, out, &err);
			fwm_snapshot_free(&b);
		}
		fwm_snapshot_free(&a);
	}
	if (rc < 0) {
		fprintf(stderr, "elfmap: %s\n", err.msg);
		return FWM_EXIT_INPUT;
	}
	return 0;
}

/* check --budget FILE [--baseline OLD] ELF */
static int run_check(const char *elf, const char *ld, const char *budget, const char *baseline,
		     int fmt)
{
	struct fwm_snapshot img, base;
	struct fwm_err err = { "" };
	int rc = fwm_snapshot_load(elf, ld, &img, &err);
	if (rc == 0) {
		if (baseline)
			rc = fwm_snapshot_load(baseline, ld, &base, &err);
		if (rc == 0) {
			rc = fwm_check(&img, baseline ? &base : NULL, budget, (enum fwm_checkfmt)fmt, stdout, &err);
			if (baseline)
				fwm_snapshot_free(&base);
		}
		fwm_snapshot_free(&img);
	}
	if (rc < 0) {
		fprintf(stderr, "elfmap: %s\n", err.msg);
		return FWM_EXIT_INPUT;
	}
	return rc ? FWM_EXIT_BREACH : 0;
}

/* lists: room for the repeatable options of stack, 3 * (argc + 1) */
static int elfmap(int argc, char **argv, const char **lists)
{
	static const struct option opts[] = {
		{ "ld", required_argument, NULL, OPT_LD },
		{ "map", required_argument, NULL, OPT_MAP },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "colour", required_argument, NULL, OPT_COLOR },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "region", required_argument, NULL, OPT_REGION },
		{ "section", required_argument, NULL, OPT_SECTION },
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "depth", required_argument, NULL, OPT_DEPTH },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "budget", required_argument, NULL, OPT_BUDGET },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "entry", required_argument, NULL, OPT_ENTRY },
		{ "worst", required_argument, NULL, OPT_WORST },
		{ "su", required_argument, NULL, OPT_SU },
		{ "ci", required_argument, NULL, OPT_CI },
		{ "annotations", required_argument, NULL, OPT_ANNOTATIONS },
		{ 0 },
	};
	enum { C_REGIONS, C_SECTIONS, C_SYMBOLS, C_TREE, C_SNAPSHOT, C_DIFF, C_CHECK, C_STACK, C_N };
	static const char *const cmds[C_N] = { "regions", "sections", "symbols", "tree", "snapshot",
					       "diff", "check", "stack" };
	/* which commands take each command-specific option */
	enum { M_SYM = 1 << C_SYMBOLS, M_TREE = 1 << C_TREE, M_DIFF = 1 << C_DIFF, M_CHECK = 1 << C_CHECK,
	       M_STACK = 1 << C_STACK };
	struct fwm_elfmap_opts eo = { 0 };
	struct fwm_symfilter flt = { .kind = -1 };
	struct fwm_treeopts topt = { 0 };
	struct fwm_diffopts dopt = { 0, 20 };
	const char *format = "text", *budget = NULL, *baseline = NULL, *used[16];
	int color = -1, c, nused = 0, usedmask[16], li = -1;
	char *end;
	const char **entries = lists, **sus = lists + argc + 1, **cis = lists + 2 * argc + 2;
	struct fwm_stackopts sopt = { entries, 0, sus, 0, cis, 0, NULL, 10 };

	while ((c = getopt_long(argc, argv, "h", opts, &li)) != -1) {
		int mask = 0;
		switch (c) {
		case OPT_LD: eo.ld = optarg; break;
		case OPT_MAP: eo.map = optarg; break;
		case OPT_FORMAT: format = optarg; break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") == 0)
				color = -1;
			else if (strcmp(optarg, "always") == 0)
				color = 1;
			else if (strcmp(optarg, "never") == 0)
				color = 0;
			else
				return usage_error("unknown --color '%s': auto, always or never", optarg);
			break;
		case 'h': fputs(usage, stdout); return 0;
		case OPT_VERSION: printf("elfmap (fwmem) %s\n", FWM_VERSION); return 0;
		case OPT_REGION: flt.region = optarg; mask = M_SYM; break;
		case OPT_SECTION: flt.section = optarg; mask = M_SYM; break;
		case OPT_NAME: flt.name = optarg; mask = M_SYM; break;
		case OPT_ALL: flt.all = dopt.all = 1; mask = M_SYM | M_DIFF; break;
		case OPT_TYPE:
			mask = M_SYM;
			if (strcmp(optarg, "func") == 0)
				flt.kind = FWM_SYM_FUNC;
			else if (strcmp(optarg, "object") == 0)
				flt.kind = FWM_SYM_OBJECT;
			else if (strcmp(optarg, "other") == 0)
				flt.kind = FWM_SYM_OTHER;
			else
				return usage_error("unknown --type '%s': func, object or other", optarg);
			break;
		case OPT_DEPTH:
			mask = M_TREE;
			topt.depth = (int)strtol(optarg, &end, 10);
			if (*optarg == 0 || *end || topt.depth < 0 || topt.depth > 1000)
				return usage_error("--depth wants a number from 0 to 1000, not '%s'", optarg);
			break;
		case OPT_LIMIT:
			mask = M_DIFF;
			dopt.limit = (int)strtol(optarg, &end, 10);
			if (*optarg == 0 || *end || dopt.limit < 0 || dopt.limit > 1000000)
				return usage_error("--limit wants a number from 0 to 1000000, not '%s'", optarg);
			break;
		case OPT_BUDGET: budget = optarg; mask = M_CHECK; break;
		case OPT_BASELINE: baseline = optarg; mask = M_CHECK; break;
		case OPT_ENTRY: entries[sopt.nentry++] = optarg; mask = M_STACK; break;
		case OPT_SU: sus[sopt.nsu++] = optarg; mask = M_STACK; break;
		case OPT_CI: cis[sopt.nci++] = optarg; mask = M_STACK; break;
		case OPT_ANNOTATIONS: sopt.annotations = optarg; mask = M_STACK; break;
		case OPT_WORST:
			mask = M_STACK;
			sopt.worst = (int)strtol(optarg, &end, 10);
			if (*optarg == 0 || *end || sopt.worst < 0 || sopt.worst > 1000000)
				return usage_error("--worst wants a number from 0 to 1000000, not '%s'", optarg);
			break;
		default:
			fputs("elfmap: see elfmap --help\n", stderr);
			return FWM_EXIT_USAGE;
		}
		/* the first use of each command-specific option, by its name */
		int seen = 0;
		for (int i = 0; mask && li >= 0 && i < nused; i++)
			seen |= strcmp(used[i], opts[li].name) == 0;
		if (mask && li >= 0 && !seen && nused < 16) {
			used[nused] = opts[li].name;
			usedmask[nused++] = mask;
		}
		li = -1;
	}
	if (optind >= argc)
		return usage_error("%s", "missing COMMAND");
	const char *cmd = argv[optind++];
	int which = -1;
	for (int i = 0; i < C_N; i++)
		if (strcmp(cmd, cmds[i]) == 0)
			which = i;
	if (which < 0)
		return usage_error("unknown command '%s': regions, sections, symbols, tree, snapshot, diff, check "
				   "or stack", cmd);
	for (int i = 0; i < nused; i++)
		if (!(usedmask[i] & (1 << which))) {
			fprintf(stderr, "elfmap: %s does not take --%s (see elfmap --help)\n", cmd, used[i]);
			return FWM_EXIT_USAGE;
		}
	int nargs = which == C_DIFF ? 2 : 1;
	if (argc - optind < nargs)
		return usage_error("%s", which == C_DIFF ? "diff: wants OLD and NEW (ELFs or snapshots)"
							 : "missing ELF file");
	if (argc - optind > nargs)
		return usage_error("unexpected argument '%s'", argv[optind + nargs]);
	int fmt = which == C_CHECK ? fwm_checkfmt_parse(format) : fwm_format_parse(format);
	if (fmt < 0)
		return usage_error(which == C_CHECK ? "unknown format '%s': text, json, md, junit or github"
						    : "unknown format '%s': text, json, csv or md", format);
	if (which == C_SNAPSHOT && fmt != FWM_FMT_JSON && strcmp(format, "text") != 0)
		return usage_error("snapshot writes JSON, not '%s'", format);
	if (which == C_CHECK && !budget)
		return usage_error("%s", "check wants --budget FILE");
	if ((which == C_DIFF || which == C_CHECK) && eo.map)
		return usage_error("%s: --map is for one ELF; give each build's snapshot instead", cmd);
	if (color < 0)
		color = isatty(STDOUT_FILENO);
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		color = 0;
	static char outbuf[1 << 16];   /* large reports: fewer write(2) calls */
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	struct fwm_out out = { stdout, (enum fwm_format)fmt, color, NULL };
	int rc;
	if (which == C_DIFF)
		rc = run_diff(argv[optind], argv[optind + 1], eo.ld, &dopt, &out);
	else if (which == C_CHECK)
		rc = run_check(argv[optind], eo.ld, budget, baseline, fmt);
	else {
		struct fwm_err err = { "" };
		struct fwm_elfmap *m;
		eo.elf = argv[optind];
		if (fwm_elfmap_open(&eo, &m, &err) < 0) {
			fprintf(stderr, "elfmap: %s\n", err.msg);
			return FWM_EXIT_INPUT;
		}
		switch (which) {
		case C_REGIONS: rc = fwm_elfmap_regions(m, &out, &err); break;
		case C_SECTIONS: rc = fwm_elfmap_sections(m, &out, &err); break;
		case C_SYMBOLS: rc = fwm_elfmap_symbols(m, &flt, &out, &err); break;
		case C_TREE: rc = fwm_elfmap_tree(m, &topt, &out, &err); break;
		case C_STACK: rc = fwm_elfmap_stack(m, &sopt, &out, &err); break;
		default: {
			json_t *doc;
			rc = fwm_snapshot_build(m, &doc, &err);
			if (rc == 0) {
				rc = fwm_json_dump(doc, stdout) ? fwm_errf(&err, -EIO, "cannot write the output") : 0;
				json_decref(doc);
			}
		}
		}
		fwm_elfmap_close(m);
		if (rc < 0) {
			fprintf(stderr, "elfmap%s: %s\n", which == C_STACK ? " stack" : "", err.msg);
			return FWM_EXIT_INPUT;
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "elfmap: cannot write the output\n");
		return FWM_EXIT_INPUT;
	}
	return rc;
}

int main(int argc, char **argv)
{
	const char **lists = calloc(3 * (size_t)argc + 3, sizeof *lists);
	if (!lists) {
		fputs("elfmap: out of memory\n", stderr);
		return FWM_EXIT_INPUT;
	}
	int rc = elfmap(argc, argv, lists);
	free(lists);
	return rc;
}
