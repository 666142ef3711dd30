/*
 * eng_dockerfile.c: libFuzzer target for what `isolab build` reads from a
 * build context: the Dockerfile (engine/lib/dockerfile.c), the variable
 * substitution of its words, and the .dockerignore (engine/lib/dockerignore.c).
 * The input is read three ways: as a Dockerfile, as one word to substitute,
 * and as a .dockerignore whose lines are also tried as paths.
 *
 * An accepted Dockerfile has 1..ENG_DF_INSTR_MAX instructions, only ARG
 * before the first FROM, increasing line numbers, a text that starts with
 * the instruction's name, the arguments each kind promises and flags of the
 * form --name=value; each instruction substitutes into a copy of the same
 * shape or fails with "KIND: expanding `...". Refusals name the file.
 */
#include "fuzz/fuzz.h"

#include <string.h>

#include "engine/lib/dockerfile.h"
#include "engine/lib/dockerignore.h"

static char *const vars[] = { "A=1", "B=two words", "EMPTY=", "BARE", "P=80 443/tcp" };
#define N_VARS (sizeof(vars) / sizeof(vars[0]))

static bool takes_json(enum eng_df_kind k)
{
	return k == ENG_DF_RUN || k == ENG_DF_CMD || k == ENG_DF_ENTRYPOINT || k == ENG_DF_SHELL ||
	       k == ENG_DF_COPY || k == ENG_DF_ADD || k == ENG_DF_VOLUME;
}

static void check_instr(const struct eng_df_instr *in, char escape)
{
	const char *name = eng_df_kind_name(in->kind);
	size_t nlen = strlen(name);
	struct isolab_error err = { 0 };
	struct eng_df_instr ex;

	FUZZ_ASSERT(in->text != NULL && strncmp(in->text, name, nlen) == 0 &&
		    (in->text[nlen] == '\0' || in->text[nlen] == ' '));
	FUZZ_ASSERT(!in->json || takes_json(in->kind));
	FUZZ_ASSERT(in->n_args <= ENG_DF_ARGS_MAX && in->n_flags <= ENG_DF_ARGS_MAX &&
		    in->n_kv <= ENG_DF_ARGS_MAX);
	for (size_t i = 0; i < in->n_args; i++)
		FUZZ_ASSERT(in->args[i] != NULL);
	for (size_t i = 0; i < in->n_flags; i++) {
		const char *f = in->flags[i], *eq = strchr(f, '=');
		char flag[64];
		size_t len;

		FUZZ_ASSERT(strncmp(f, "--", 2) == 0 && eq != NULL && eq[1] != '\0');
		len = (size_t)(eq - f - 2);
		FUZZ_ASSERT(len < sizeof(flag));
		memcpy(flag, f + 2, len);
		flag[len] = '\0';
		FUZZ_ASSERT(eng_df_flag(in, flag) == eq + 1);
	}
	for (size_t i = 0; i < in->n_kv; i++)
		FUZZ_ASSERT(in->kv[i].key[0] != '\0' && in->kv[i].value != NULL &&
			    (in->kv[i].has_value || (in->kind == ENG_DF_ARG && in->kv[i].value[0] == '\0')));
	switch (in->kind) {
	case ENG_DF_FROM:
		FUZZ_ASSERT(in->n_args == 1 && in->args[0][0] != '\0');
		FUZZ_ASSERT(in->as == NULL || (in->as[0] >= 'a' && in->as[0] <= 'z'));
		break;
	case ENG_DF_COPY:
	case ENG_DF_ADD:
		FUZZ_ASSERT(in->n_args >= 2);
		break;
	case ENG_DF_ENV:
	case ENG_DF_LABEL:
	case ENG_DF_ARG:
		FUZZ_ASSERT(in->n_kv >= 1 && in->n_args == 0);
		break;
	case ENG_DF_RUN:
	case ENG_DF_SHELL:
	case ENG_DF_EXPOSE:
	case ENG_DF_VOLUME:
		FUZZ_ASSERT(in->n_args >= 1);
		break;
	case ENG_DF_WORKDIR:
	case ENG_DF_USER:
	case ENG_DF_STOPSIGNAL:
	case ENG_DF_MAINTAINER:
		FUZZ_ASSERT(in->n_args == 1 && in->args[0][0] != '\0');
		break;
	default:
		FUZZ_ASSERT(in->json || in->n_args == 1);
		break;
	}
	FUZZ_ASSERT(in->kind == ENG_DF_FROM || in->as == NULL);

	if (eng_df_instr_expand(in, vars, N_VARS, escape, &ex, &err) != 0) {
		FUZZ_ASSERT(strncmp(err.msg, name, nlen) == 0 && err.msg[nlen] == ':');
		FUZZ_ASSERT(ex.text == NULL && ex.n_args == 0 && ex.n_kv == 0);
		return;
	}
	FUZZ_ASSERT(ex.kind == in->kind && ex.line == in->line && ex.json == in->json);
	FUZZ_ASSERT(strcmp(ex.text, in->text) == 0);
	FUZZ_ASSERT(ex.n_kv == in->n_kv && ex.n_flags == in->n_flags);
	FUZZ_ASSERT(in->kind == ENG_DF_EXPOSE || ex.n_args == in->n_args);
	if (in->kind == ENG_DF_RUN || in->kind == ENG_DF_CMD || in->kind == ENG_DF_ENTRYPOINT)
		for (size_t i = 0; i < in->n_args; i++)
			FUZZ_ASSERT(strcmp(ex.args[i], in->args[i]) == 0);
	eng_df_instr_free(&ex);
}

static void dockerfile(const char *text, size_t size)
{
	struct isolab_error err = { 0 };
	struct eng_dockerfile df;
	bool seen_from = false;

	if (eng_dockerfile_parse(text, size, "Dockerfile", &df, &err) != 0) {
		FUZZ_ASSERT(strncmp(err.msg, "Dockerfile:", 11) == 0 && df.n == 0);
		return;
	}
	FUZZ_ASSERT(df.n >= 1 && df.n <= ENG_DF_INSTR_MAX);
	FUZZ_ASSERT(df.escape == '\\' || df.escape == '`');
	for (size_t i = 0; i < df.n; i++) {
		const struct eng_df_instr *in = &df.instrs[i];

		FUZZ_ASSERT(in->line >= 1 && (i == 0 || in->line > df.instrs[i - 1].line));
		FUZZ_ASSERT(seen_from || in->kind == ENG_DF_FROM || in->kind == ENG_DF_ARG);
		seen_from = seen_from || in->kind == ENG_DF_FROM;
		check_instr(in, df.escape);
	}
	FUZZ_ASSERT(seen_from);
	eng_dockerfile_free(&df);
}

static void word(const char *text, char escape)
{
	struct isolab_error err = { 0 };
	char *out = NULL, **w = NULL;
	size_t n = 0;

	if (eng_df_expand(text, vars, N_VARS, escape, &out, &err) == 0) {
		FUZZ_ASSERT(out != NULL && strlen(out) <= ENG_DF_EXPAND_MAX);
		free(out);
		/* the same word split: accepted too, unless it has too many words */
		if (eng_df_expand_words(text, vars, N_VARS, escape, &w, &n, &err) != 0) {
			FUZZ_ASSERT(w == NULL && strstr(err.msg, " words)") != NULL);
			return;
		}
		for (size_t i = 0; i < n; i++) {
			FUZZ_ASSERT(w[i][0] != '\0');
			free(w[i]);
		}
		free(w);
	} else {
		FUZZ_ASSERT(out == NULL && strncmp(err.msg, "expanding `", 11) == 0);
		FUZZ_ASSERT(eng_df_expand_words(text, vars, N_VARS, escape, &w, &n, &err) != 0);
		FUZZ_ASSERT(w == NULL && n == 0);
	}
}

static void dockerignore(const char *text, size_t size)
{
	struct isolab_error err = { 0 };
	struct eng_ignore *ig = NULL;
	const char *line = text;

	if (eng_ignore_parse(text, size, &ig, &err) != 0) {
		FUZZ_ASSERT(ig == NULL && strncmp(err.msg, ".dockerignore:", 14) == 0);
		return;
	}
	FUZZ_ASSERT(!eng_ignore_match(ig, "") && !eng_ignore_match(ig, "."));
	/* each line of the input (up to a NUL) as a path */
	while (line != NULL && *line != '\0') {
		const char *nl = strchr(line, '\n');
		size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		char *path = strndup(line, len);
		bool m, d;

		if (path == NULL)
			break;
		m = eng_ignore_match(ig, path);
		d = eng_ignore_must_descend(ig, path);

		FUZZ_ASSERT(m == eng_ignore_match(ig, path));
		FUZZ_ASSERT(!d || eng_ignore_has_exceptions(ig));
		free(path);
		line = nl != NULL ? nl + 1 : NULL;
	}
	eng_ignore_free(ig);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	dockerfile(text, size);
	word(text, '\\');
	word(text, '`');
	dockerignore(text, size);
	free(text);
	return 0;
}
