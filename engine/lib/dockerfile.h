/*
 * dockerfile.h: Dockerfiles read as Docker reads them (pure: no system
 * calls, unit-tested and fuzzed), for `isolab build`.
 *
 * The rules are those of the Dockerfile reference
 * (docs.docker.com/reference/dockerfile) and of BuildKit's parser
 * (frontend/dockerfile/parser, shell/lex.go), written again in C:
 *
 *   - parser directives at the top (`# escape=\``, `# syntax=...` and
 *     `# check=...` read and ignored), a UTF-8 byte order mark dropped;
 *   - comments are lines whose first non-blank character is `#`; blank
 *     lines are skipped;
 *   - the escape character (`\`, or `` ` `` after `# escape=\``) at the end of
 *     a line, blanks after it allowed, continues the instruction on the next
 *     line; comment lines and blank lines inside a continuation are skipped;
 *   - leading `--name=value` words are the instruction's flags;
 *   - exec form: the rest is a JSON array of strings (else the shell form).
 *
 * The parser keeps words as written (quotes and escapes in place):
 * eng_df_instr_expand() (or eng_df_expand() on one word) then does Docker's
 * variable substitution and quote removal for the instructions that take it.
 * Every error is one line "FILE:LINE: why" (-EINVAL), LINE the first line of
 * the instruction.
 */
#ifndef ISOLAB_ENGINE_DOCKERFILE_H
#define ISOLAB_ENGINE_DOCKERFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* Bounds on hostile input. A line longer than bufio.Scanner's 64 KiB is
 * refused by Docker too. */
#define ENG_DF_FILE_MAX (1024 * 1024)   /* bytes of a Dockerfile */
#define ENG_DF_LINE_MAX 65535           /* bytes of one physical line */
#define ENG_DF_INSTR_MAX 10000          /* instructions */
#define ENG_DF_ARGS_MAX 4096            /* args, flags or key=value pairs of one instruction */
#define ENG_DF_EXPAND_MAX (1024 * 1024) /* bytes one substitution may produce */
#define ENG_DF_EXPAND_DEPTH 32          /* ${A:-${B:-...}} nesting */

enum eng_df_kind {
	ENG_DF_FROM,
	ENG_DF_RUN,
	ENG_DF_CMD,
	ENG_DF_ENTRYPOINT,
	ENG_DF_COPY,
	ENG_DF_ADD,
	ENG_DF_ENV,
	ENG_DF_ARG,
	ENG_DF_LABEL,
	ENG_DF_EXPOSE,
	ENG_DF_WORKDIR,
	ENG_DF_USER,
	ENG_DF_VOLUME,
	ENG_DF_STOPSIGNAL,
	ENG_DF_SHELL,
	ENG_DF_MAINTAINER,
};
/* HEALTHCHECK and ONBUILD are recognised and refused ("not supported"). */

/* The instruction's name in capitals ("FROM", ...). */
const char *eng_df_kind_name(enum eng_df_kind kind);

/* ENV and LABEL (always has_value), ARG (`ARG NAME` has none). Keys and
 * values as written: ENV's `k="v 2"` gives key `k`, value `"v 2"`, and
 * `ENV k v w` (the old form) key `k`, value `v w`. */
struct eng_df_kv {
	char *key, *value; /* value is "" when !has_value */
	bool has_value;
};

struct eng_df_instr {
	enum eng_df_kind kind;
	unsigned line; /* first line of the instruction in the file (1-based) */
	/* The instruction as written, on one line: continuations joined with
	 * the escape removed, the name in capitals, and each run of blanks
	 * outside quotes (and not escaped) collapsed to one space, e.g.
	 * "RUN apt-get update && apt-get install -y make". */
	char *text;
	bool json; /* exec form: args came from a JSON array */
	/*
	 * exec form: the array's strings (JSON escapes decoded);
	 * RUN/CMD/ENTRYPOINT in shell form: one element, the rest of the line;
	 * FROM: {image} (and `as`); COPY/ADD: sources..., dest (blank-separated
	 * words, or the JSON array); EXPOSE, VOLUME: the words (or VOLUME's
	 * JSON array); WORKDIR, USER, STOPSIGNAL, MAINTAINER: one element, the
	 * rest of the line; ENV/LABEL/ARG: none (see kv).
	 * Shell-form words keep their quotes: see eng_df_instr_expand().
	 */
	char **args;
	size_t n_args;
	char *as; /* FROM ... AS name, lowercased, else NULL */
	/* "--from=x", "--chown=u:g", "--chmod=...", "--platform=...", quotes
	 * removed, in the order written: FROM takes --platform, COPY --from,
	 * --chown and --chmod, ADD --chown and --chmod; any other is an error. */
	char **flags;
	size_t n_flags;
	struct eng_df_kv *kv; /* ENV, LABEL, ARG */
	size_t n_kv;
};

struct eng_dockerfile {
	struct eng_df_instr *instrs;
	size_t n;
	char escape; /* '\\' or '`' */
};

/*
 * Parses a Dockerfile of len bytes (text need not end in NUL). filename
 * names it in errors (NULL: "Dockerfile"): "Dockerfile:12: unknown
 * instruction: FROMM", "Dockerfile:3: FROM requires an image",
 * "Dockerfile:7: RUN: unterminated JSON array". Refused besides: an empty
 * file ("Dockerfile: no instructions"), an instruction other than ARG
 * before the first FROM, no FROM at all, a NUL byte, the bounds above.
 * On success *out holds the instructions (free with eng_dockerfile_free);
 * on failure it is empty.
 */
int eng_dockerfile_parse(const char *text, size_t len, const char *filename,
			 struct eng_dockerfile *out, struct isolab_error *err);
void eng_dockerfile_free(struct eng_dockerfile *df);
void eng_df_instr_free(struct eng_df_instr *in);

/* The value of flag `name` ("from", "chown", ...) of in, or NULL. */
const char *eng_df_flag(const struct eng_df_instr *in, const char *name);

/*
 * Docker's variable substitution and quote removal of one word (shell/lex.go
 * ProcessWord): 'single quotes' literal, "double quotes" with $ expanded
 * and the escape character escaping only `"`, `$` and itself, the escape
 * character outside quotes taking the next character literally; $VAR,
 * ${VAR}, ${VAR:-word}, ${VAR-word}, ${VAR:+word}, ${VAR+word},
 * ${VAR:?msg}, ${VAR?msg}, with words nested (`${A:-${B}}`). An unset
 * variable is empty. vars are "K=V" strings, the last one for a key wins;
 * "K" alone sets K to "". escape is '\\' or '`'. *out is malloc'd.
 * Errors (-EINVAL): "expanding `WORD`: why" (a missing '}', a quote not
 * closed, ${VAR?} of an unset VAR, ${VAR#...}/${VAR%...}/${VAR/...}, which
 * are not supported, more than ENG_DF_EXPAND_MAX bytes).
 */
int eng_df_expand(const char *word, char *const *vars, size_t n_vars, char escape, char **out,
		  struct isolab_error *err);

/* As eng_df_expand, then split into words at blanks that came from
 * variables or unquoted text (ProcessWords: EXPOSE $PORTS gives one word a
 * port). *out is a malloc'd array of *n_out malloc'd strings. */
int eng_df_expand_words(const char *word, char *const *vars, size_t n_vars, char escape,
			char ***out, size_t *n_out, struct isolab_error *err);

/*
 * A copy of in with Docker's substitution applied where Docker applies it
 * (the reference's "Environment replacement"): FROM (image, --platform),
 * COPY/ADD (sources, dest, --from, --chown, --chmod), ENV/LABEL/ARG (keys
 * and values), EXPOSE (each word, split again), VOLUME, WORKDIR, USER,
 * STOPSIGNAL. RUN, CMD, ENTRYPOINT, SHELL and MAINTAINER are copied as they
 * are (the shell expands them when it runs). `as`, text, json and line are
 * copied. Errors as eng_df_expand, prefixed "KIND: ". Free out with
 * eng_df_instr_free.
 */
int eng_df_instr_expand(const struct eng_df_instr *in, char *const *vars, size_t n_vars,
			char escape, struct eng_df_instr *out, struct isolab_error *err);

#endif
