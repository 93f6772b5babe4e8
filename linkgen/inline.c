/* Why a function has no symbol: was it inlined everywhere?  Read from the
 * DWARF (libdw): every DW_TAG_inlined_subroutine whose abstract origin is
 * named NAME, with the function it was inlined into and the call's line. */
#include "lg_verify.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdio.h>
#include <string.h>

struct walk {
	const char *name;
	struct lg_inlined *out;
	size_t n, max;
	int declared;          /* a subprogram DIE with that name exists */
	Dwarf_Files *files;
	size_t nfiles;
	int depth;
};

static const char *origin_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	Dwarf_Die o;
	const char *n = dwarf_diename(die);
	if (n)
		return n;
	for (int hop = 0; hop < 4; hop++) {
		if (!dwarf_attr(die, DW_AT_abstract_origin, &a) && !dwarf_attr(die, DW_AT_specification, &a))
			return NULL;
		if (!dwarf_formref_die(&a, &o))
			return NULL;
		n = dwarf_diename(&o);
		if (n)
			return n;
		*die = o;
	}
	return NULL;
}

static void walk_die(struct walk *w, Dwarf_Die *die, const char *func)
{
	Dwarf_Die child;
	if (w->depth > 64 || dwarf_child(die, &child) != 0)
		return;
	w->depth++;
	do {
		int tag = dwarf_tag(&child);
		const char *f = func;
		if (tag == DW_TAG_subprogram) {
			Dwarf_Die tmp = child;
			const char *n = origin_name(&tmp);
			if (n && strcmp(n, w->name) == 0)
				w->declared = 1;
			if (!func)
				f = n;
		} else if (tag == DW_TAG_inlined_subroutine) {
			Dwarf_Die tmp = child;
			const char *n = origin_name(&tmp);
			if (n && strcmp(n, w->name) == 0 && w->n < w->max) {
				struct lg_inlined *x = &w->out[w->n++];
				memset(x, 0, sizeof *x);
				snprintf(x->into, sizeof x->into, "%s", func ? func : "?");
				Dwarf_Attribute a;
				Dwarf_Word v;
				if (dwarf_attr(&child, DW_AT_call_line, &a) && dwarf_formudata(&a, &v) == 0)
					x->line = (unsigned)v;
				if (dwarf_attr(&child, DW_AT_call_file, &a) && dwarf_formudata(&a, &v) == 0 && w->files &&
				    v < w->nfiles) {
					const char *fn = dwarf_filesrc(w->files, (size_t)v, NULL, NULL);
					if (fn) {
						const char *b = strrchr(fn, '/');
						snprintf(x->file, sizeof x->file, "%s", b ? b + 1 : fn);
					}
				}
			}
		}
		if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block ||
		    tag == DW_TAG_namespace || tag == DW_TAG_class_type || tag == DW_TAG_structure_type)
			walk_die(w, &child, f);
	} while (dwarf_siblingof(&child, &child) == 0);
	w->depth--;
}

int lg_find_inlined(struct fwm_image *img, const char *name, struct lg_inlined *out, size_t max, int *declared)
{
	Dwarf *dw = dwarf_begin_elf((Elf *)img->elf, DWARF_C_READ, NULL);
	*declared = 0;
	if (!dw)
		return 0;
	struct walk w = { name, out, 0, max, 0, NULL, 0, 0 };
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		if (dwarf_offdie(dw, off + hsize, &cu)) {
			w.files = NULL;
			w.nfiles = 0;
			dwarf_getsrcfiles(&cu, &w.files, &w.nfiles);
			walk_die(&w, &cu, NULL);
		}
		off = next;
	}
	*declared = w.declared;
	dwarf_end(dw);
	return (int)w.n;
}
