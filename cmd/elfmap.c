/* elfmap: where every byte of a firmware ELF goes.  Options, then lib. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwm_elfmap.h"

static const char usage[] =
"usage: elfmap [--ld FILE] [--map FILE] [--format text|json|csv|md] COMMAND ELF\n"
"\n"
"commands:\n"
"  regions    each memory region: origin, length, used, free and what fills it\n"
"  sections   every section: region, VMA, LMA, size, alignment, flags; size totals\n"
"  symbols    symbols by size   [--region R] [--section S] [--type func|object|other]\n"
"                               [--name GLOB] [--all]\n"
"  tree       size by directory, source file and compile unit   [--depth N]\n"
"\n"
"options:\n"
"  --ld FILE       take the memory regions from this linker script's MEMORY block\n"
"  --map FILE      GNU ld map file: regions, and archive/object attribution\n"
"  --format FMT    text (default), json, csv or md\n"
"  --color WHEN    auto (default: on a terminal, unless NO_COLOR is set), always, never\n"
"  -h, --help      show this help\n"
"  --version       show the version\n";

enum { OPT_LD = 256, OPT_MAP, OPT_FORMAT, OPT_COLOR, OPT_VERSION, OPT_REGION, OPT_SECTION,
       OPT_TYPE, OPT_NAME, OPT_ALL, OPT_DEPTH };

static int usage_error(const char *fmt, const char *arg)
{
	fputs("elfmap: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see elfmap --help)\n", stderr);
	return FWM_EXIT_USAGE;
}

int main(int argc, char **argv)
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
		{ 0 },
	};
	struct fwm_elfmap_opts eo = { 0 };
	struct fwm_symfilter flt = { .kind = -1 };
	struct fwm_treeopts topt = { 0 };
	int fmt = FWM_FMT_TEXT, color = -1, c;
	int symopts = 0, treeopts = 0;
	char *end;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_LD: eo.ld = optarg; break;
		case OPT_MAP: eo.map = optarg; break;
		case OPT_FORMAT:
			if ((fmt = fwm_format_parse(optarg)) < 0)
				return usage_error("unknown format '%s': text, json, csv or md", optarg);
			break;
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
		case OPT_REGION: flt.region = optarg; symopts = 1; break;
		case OPT_SECTION: flt.section = optarg; symopts = 1; break;
		case OPT_NAME: flt.name = optarg; symopts = 1; break;
		case OPT_ALL: flt.all = 1; symopts = 1; break;
		case OPT_TYPE:
			symopts = 1;
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
			treeopts = 1;
			topt.depth = (int)strtol(optarg, &end, 10);
			if (*optarg == 0 || *end || topt.depth < 0 || topt.depth > 1000)
				return usage_error("--depth wants a number from 0 to 1000, not '%s'", optarg);
			break;
		default:
			fputs("elfmap: see elfmap --help\n", stderr);
			return FWM_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return usage_error("%s", "missing COMMAND");
	const char *cmd = argv[optind++];
	static const char *const cmds[] = { "regions", "sections", "symbols", "tree" };
	int which = -1;
	for (int i = 0; i < 4; i++)
		if (strcmp(cmd, cmds[i]) == 0)
			which = i;
	if (which < 0)
		return usage_error("unknown command '%s': regions, sections, symbols or tree", cmd);
	if (optind >= argc)
		return usage_error("%s: missing ELF file", cmd);
	if (optind + 1 < argc)
		return usage_error("unexpected argument '%s'", argv[optind + 1]);
	if (symopts && which != 2)
		return usage_error("%s: --region, --section, --type, --name and --all are symbols options", cmd);
	if (treeopts && which != 3)
		return usage_error("%s: --depth is a tree option", cmd);
	eo.elf = argv[optind];
	if (color < 0)
		color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		color = 0;

	struct fwm_err err = { "" };
	struct fwm_elfmap *m;
	if (fwm_elfmap_open(&eo, &m, &err) < 0) {
		fprintf(stderr, "elfmap: %s\n", err.msg);
		return FWM_EXIT_INPUT;
	}
	struct fwm_out out = { stdout, (enum fwm_format)fmt, color };
	int rc;
	switch (which) {
	case 0: rc = fwm_elfmap_regions(m, &out, &err); break;
	case 1: rc = fwm_elfmap_sections(m, &out, &err); break;
	case 2: rc = fwm_elfmap_symbols(m, &flt, &out, &err); break;
	default: rc = fwm_elfmap_tree(m, &topt, &out, &err); break;
	}
	fwm_elfmap_close(m);
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
		fprintf(stderr, "elfmap: cannot write the output\n");
		return FWM_EXIT_INPUT;
	}
	if (rc < 0) {
		fprintf(stderr, "elfmap: %s\n", err.msg);
		return FWM_EXIT_INPUT;
	}
	return 0;
}
