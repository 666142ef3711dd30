/* dockerfile.c: Dockerfiles parsed as BuildKit parses them (see dockerfile.h). */
#include "engine/lib/dockerfile.h"
#include "common/utf8.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How much of a hostile word an error message shows. */
#define SHOW_MAX 64

static const char *const kind_names[] = {
	[ENG_DF_FROM] = "FROM",		  [ENG_DF_RUN] = "RUN",	    [ENG_DF_CMD] = "CMD",
	[ENG_DF_ENTRYPOINT] = "ENTRYPOINT", [ENG_DF_COPY] = "COPY",   [ENG_DF_ADD] = "ADD",
	[ENG_DF_ENV] = "ENV",		  [ENG_DF_ARG] = "ARG",	    [ENG_DF_LABEL] = "LABEL",
	[ENG_DF_EXPOSE] = "EXPOSE",	  [ENG_DF_WORKDIR] = "WORKDIR", [ENG_DF_USER] = "USER",
	[ENG_DF_VOLUME] = "VOLUME",	  [ENG_DF_STOPSIGNAL] = "STOPSIGNAL",
	[ENG_DF_SHELL] = "SHELL",	  [ENG_DF_MAINTAINER] = "MAINTAINER",
};
#define N_KINDS (sizeof(kind_names) / sizeof(kind_names[0]))

const char *eng_df_kind_name(enum eng_df_kind kind)
{
	return (unsigned)kind < N_KINDS ? kind_names[kind] : "?";
}

/* The flags each instruction takes (Dockerfile reference, per instruction). */
static bool flag_allowed(enum eng_df_kind kind, const char *name, size_t len)
{
	static const char *const from[] = { "platform", NULL };
	static const char *const copy[] = { "from", "chown", "chmod", NULL };
	static const char *const add[] = { "chown", "chmod", NULL };
	const char *const *list = kind == ENG_DF_FROM ? from
				: kind == ENG_DF_COPY ? copy
				: kind == ENG_DF_ADD  ? add
						      : NULL;

	for (; list != NULL && *list != NULL; list++)
		if (strlen(*list) == len && memcmp(*list, name, len) == 0)
			return true;
	return false;
}

/* ---- growable strings and string lists -------------------------------- */

/* A growing string that refuses to pass max bytes (-E2BIG). */
struct df_buf {
	char *p;
	size_t len, cap, max;
};

/* A growing list of malloc'd strings, at most ENG_DF_ARGS_MAX (-E2BIG). */
struct df_strv {
	char **v;
	size_t n, cap;
};

static int df_buf_add(struct df_buf *b, const char *s, size_t len)
{
	if (len > b->max || b->len > b->max - len)
		return -E2BIG;
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + len + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	if (len > 0)
		memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

static int df_buf_addc(struct df_buf *b, char c)
{
	return df_buf_add(b, &c, 1);
}

/* The buffer's string (never NULL: "" when nothing was added); the buffer
 * is left empty. */
static char *df_buf_take(struct df_buf *b)
{
	char *p = b->p;

	if (p == NULL)
		p = strdup("");
	*b = (struct df_buf){ .max = b->max };
	return p;
}

static void df_buf_free(struct df_buf *b)
{
	free(b->p);
	*b = (struct df_buf){ .max = b->max };
}

static int df_strv_push(struct df_strv *sv, char *s)
{
	if (s == NULL)
		return -ENOMEM;
	if (sv->n >= ENG_DF_ARGS_MAX) {
		free(s);
		return -E2BIG;
	}
	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 8;
		char **v = reallocarray(sv->v, cap, sizeof(*v));

		if (v == NULL) {
			free(s);
			return -ENOMEM;
		}
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = s;
	return 0;
}

static int df_strv_push_len(struct df_strv *sv, const char *s, size_t len)
{
	return df_strv_push(sv, strndup(s, len));
}

static void df_strv_free(struct df_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	*sv = (struct df_strv){ 0 };
}

static void df_show(const char *s, size_t len, char *buf, size_t size)
{
	size_t o = 0;

	if (size == 0)
		return;
	for (size_t i = 0; i < len && i < SHOW_MAX && o + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (len > SHOW_MAX)
		for (int i = 0; i < 3 && o + 1 < size; i++)
			buf[o++] = '.';
	buf[o] = '\0';
}

/* ---- errors ----------------------------------------------------------- */

struct pstate {
	const char *file;
	unsigned line; /* 0: the file as a whole */
	char escape;
	struct isolab_error *err;
};

static __attribute__((format(printf, 3, 4))) int perr_code(struct pstate *ps, int code,
							   const char *fmt, ...)
{
	char why[ISOLAB_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	if (ps->line == 0)
		return isolab_error_set(ps->err, code, "%s: %s", ps->file, why);
	return isolab_error_set(ps->err, code, "%s:%u: %s", ps->file, ps->line, why);
}

#define perr(ps, ...) perr_code(ps, -EINVAL, __VA_ARGS__)

/* -ENOMEM and -E2BIG from the helpers above, as messages. */
static int perr_rc(struct pstate *ps, int rc, const char *kind)
{
	if (rc == -E2BIG)
		return perr(ps, "%s: more than %d arguments", kind, ENG_DF_ARGS_MAX);
	return perr_code(ps, rc, "%s: out of memory", kind);
}

/* ---- characters ------------------------------------------------------- */

/* Go's unicode.IsSpace over ASCII (BuildKit's word splitting). */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* BuildKit's reWhitespace `[\t\v\f\r ]+`, between an instruction's words. */
static bool is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static void trim(const char **s, size_t *len)
{
	while (*len > 0 && is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_blank((*s)[*len - 1]))
		(*len)--;
}

/* Splits s at runs of [\t\v\f\r ] (s trimmed first). */
static int split_blanks(const char *s, size_t len, struct df_strv *out)
{
	size_t i = 0;

	trim(&s, &len);
	while (i < len) {
		size_t start = i;
		int rc;

		while (i < len && !is_sep(s[i]))
			i++;
		rc = df_strv_push_len(out, s + start, i - start);
		if (rc < 0)
			return rc;
		while (i < len && is_sep(s[i]))
			i++;
	}
	return 0;
}

/*
 * BuildKit's parseWords: words separated by blanks, where quotes ('...' and
 * "...") and the escape character keep blanks inside a word. The quotes and
 * escapes stay in the words (substitution removes them later).
 */
static int parse_words(const char *s, size_t len, char escape, struct df_strv *out)
{
	enum { IN_SPACES, IN_WORD, IN_QUOTE } phase = IN_SPACES;
	struct df_buf w = { .max = ENG_DF_FILE_MAX };
	bool blank_ok = false;
	char quote = 0;
	int rc = 0;

	for (size_t pos = 0; pos <= len && rc == 0; pos++) {
		char ch = pos < len ? s[pos] : '\0';

		if (phase == IN_SPACES) {
			if (pos == len)
				break;
			if (is_blank(ch))
				continue;
			phase = IN_WORD;
		}
		if (pos == len) {
			if (blank_ok || w.len > 0)
				rc = df_strv_push(out, df_buf_take(&w));
			break;
		}
		if (phase == IN_WORD) {
			if (is_blank(ch)) {
				phase = IN_SPACES;
				if (blank_ok || w.len > 0)
					rc = df_strv_push(out, df_buf_take(&w));
				df_buf_free(&w);
				blank_ok = false;
				continue;
			}
			if (ch == '\'' || ch == '"') {
				quote = ch;
				blank_ok = true;
				phase = IN_QUOTE;
			}
			if (ch == escape) {
				if (pos + 1 == len)
					continue; /* an escape at the end is dropped */
				rc = df_buf_addc(&w, ch);
				ch = s[++pos];
			}
			if (rc == 0)
				rc = df_buf_addc(&w, ch);
			continue;
		}
		/* IN_QUOTE */
		if (ch == quote)
			phase = IN_WORD;
		if (ch == escape && quote != '\'') {
			if (pos + 1 == len) {
				phase = IN_WORD;
				continue;
			}
			rc = df_buf_addc(&w, ch);
			ch = s[++pos];
		}
		if (rc == 0)
			rc = df_buf_addc(&w, ch);
	}
	df_buf_free(&w);
	return rc;
}

/* ---- JSON arrays of strings (the exec form) --------------------------- */

enum json_result {
	JSON_OK,
	JSON_NOT_JSON,     /* not JSON: the shell form, as Docker falls back to */
	JSON_NOT_STRINGS,  /* a JSON array with something else than strings */
	JSON_UNTERMINATED, /* the input ended inside the array */
	JSON_NUL,          /* "\u0000": a C string cannot hold it */
	JSON_NOMEM,
	JSON_TOO_MANY,
};

/* Nesting beyond this (inside a non-string element) is read as not JSON. */
#define JSON_DEPTH_MAX 64

struct json {
	const char *s;
	size_t n, i;
};

static void json_ws(struct json *j)
{
	while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' || j->s[j->i] == '\n' ||
			       j->s[j->i] == '\r'))
		j->i++;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;

	for (int k = 0; k < 4; k++) {
		char c = s[k];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static int put_utf8(struct df_buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return df_buf_add(b, u, n);
}


/* A JSON string at j->i (on its '"'), decoded as Go's encoding/json does
 * (invalid UTF-8 and lone surrogates become U+FFFD) into b if b != NULL. */
static enum json_result json_string(struct json *j, struct df_buf *b)
{
	int rc = 0;

	j->i++;
	for (;;) {
		unsigned char c;

		if (j->i >= j->n)
			return JSON_UNTERMINATED;
		c = (unsigned char)j->s[j->i];
		if (c == '"') {
			j->i++;
			return JSON_OK;
		}
		if (c < 0x20)
			return JSON_NOT_JSON;
		if (c == '\\') {
			char e;
			unsigned cp;

			if (j->i + 1 >= j->n)
				return JSON_UNTERMINATED;
			e = j->s[j->i + 1];
			j->i += 2;
			switch (e) {
			case '"': case '\\': case '/':
				cp = (unsigned char)e;
				break;
			case 'b': cp = '\b'; break;
			case 'f': cp = '\f'; break;
			case 'n': cp = '\n'; break;
			case 'r': cp = '\r'; break;
			case 't': cp = '\t'; break;
			case 'u':
				if (j->n - j->i < 4) {
					for (size_t k = j->i; k < j->n; k++)
						if (!isxdigit((unsigned char)j->s[k]))
							return JSON_NOT_JSON;
					return JSON_UNTERMINATED;
				}
				if (hex4(j->s + j->i, &cp) < 0)
					return JSON_NOT_JSON;
				j->i += 4;
				if (cp >= 0xd800 && cp < 0xdc00) {
					unsigned lo;

					/* a pair, or U+FFFD without taking the next escape */
					if (j->n - j->i >= 6 && j->s[j->i] == '\\' && j->s[j->i + 1] == 'u' &&
					    hex4(j->s + j->i + 2, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
						cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
						j->i += 6;
					} else {
						cp = 0xfffd;
					}
				} else if (cp >= 0xdc00 && cp < 0xe000) {
					cp = 0xfffd;
				}
				break;
			default:
				return JSON_NOT_JSON;
			}
			if (b != NULL) {
				if (cp == 0)
					return JSON_NUL;
				rc = put_utf8(b, cp);
			}
		} else if (c < 0x80) {
			if (b != NULL)
				rc = df_buf_addc(b, (char)c);
			j->i++;
		} else {
			size_t len = isolab_utf8_len((const unsigned char *)j->s + j->i, j->n - j->i);

			if (len == 0) {
				if (b != NULL)
					rc = df_buf_add(b, "\xef\xbf\xbd", 3);
				j->i++;
			} else {
				if (b != NULL)
					rc = df_buf_add(b, j->s + j->i, len);
				j->i += len;
			}
		}
		if (rc < 0)
			return JSON_NOMEM;
	}
}

static enum json_result json_value(struct json *j, int depth);

/* The literal word (true, false, null) at j->i. */
static enum json_result json_literal(struct json *j, const char *word)
{
	size_t len = strlen(word);

	for (size_t k = 0; k < len; k++) {
		if (j->i + k >= j->n)
			return JSON_UNTERMINATED;
		if (j->s[j->i + k] != word[k])
			return JSON_NOT_JSON;
	}
	j->i += len;
	return JSON_OK;
}

static bool at_digit(const struct json *j)
{
	return j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static enum json_result json_number(struct json *j)
{
	if (j->s[j->i] == '-')
		j->i++;
	if (j->i >= j->n)
		return JSON_UNTERMINATED;
	if (j->s[j->i] == '0')
		j->i++;
	else if (at_digit(j))
		while (at_digit(j))
			j->i++;
	else
		return JSON_NOT_JSON;
	if (j->i < j->n && j->s[j->i] == '.') {
		j->i++;
		if (j->i >= j->n)
			return JSON_UNTERMINATED;
		if (!at_digit(j))
			return JSON_NOT_JSON;
		while (at_digit(j))
			j->i++;
	}
	if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
			j->i++;
		if (j->i >= j->n)
			return JSON_UNTERMINATED;
		if (!at_digit(j))
			return JSON_NOT_JSON;
		while (at_digit(j))
			j->i++;
	}
	return JSON_OK;
}

/* The members of an array or object after its opening bracket. */
static enum json_result json_members(struct json *j, int depth, bool object)
{
	char close = object ? '}' : ']';
	enum json_result r;

	json_ws(j);
	if (j->i >= j->n)
		return JSON_UNTERMINATED;
	if (j->s[j->i] == close) {
		j->i++;
		return JSON_OK;
	}
	for (;;) {
		if (object) {
			if (j->s[j->i] != '"')
				return JSON_NOT_JSON;
			r = json_string(j, NULL);
			if (r != JSON_OK)
				return r;
			json_ws(j);
			if (j->i >= j->n)
				return JSON_UNTERMINATED;
			if (j->s[j->i++] != ':')
				return JSON_NOT_JSON;
		}
		r = json_value(j, depth + 1);
		if (r != JSON_OK)
			return r;
		json_ws(j);
		if (j->i >= j->n)
			return JSON_UNTERMINATED;
		if (j->s[j->i] == close) {
			j->i++;
			return JSON_OK;
		}
		if (j->s[j->i++] != ',')
			return JSON_NOT_JSON;
		json_ws(j);
		if (j->i >= j->n)
			return JSON_UNTERMINATED;
	}
}

/* Any JSON value at j->i (after blanks), checked and skipped. */
static enum json_result json_value(struct json *j, int depth)
{
	json_ws(j);
	if (j->i >= j->n)
		return JSON_UNTERMINATED;
	if (depth > JSON_DEPTH_MAX)
		return JSON_NOT_JSON;
	switch (j->s[j->i]) {
	case '"':
		return json_string(j, NULL);
	case '[':
		j->i++;
		return json_members(j, depth, false);
	case '{':
		j->i++;
		return json_members(j, depth, true);
	case 't':
		return json_literal(j, "true");
	case 'f':
		return json_literal(j, "false");
	case 'n':
		return json_literal(j, "null");
	default:
		if (j->s[j->i] == '-' || (j->s[j->i] >= '0' && j->s[j->i] <= '9'))
			return json_number(j);
		return JSON_NOT_JSON;
	}
}

/* s (starting with '[') as a JSON array of strings, into out. */
static enum json_result json_string_array(const char *s, size_t n, struct df_strv *out)
{
	struct json j = { .s = s, .n = n, .i = 1 };
	bool only_strings = true;

	json_ws(&j);
	if (j.i >= n)
		return JSON_UNTERMINATED;
	if (s[j.i] == ']') {
		j.i++;
	} else {
		for (;;) {
			enum json_result r;

			json_ws(&j);
			if (j.i >= n)
				return JSON_UNTERMINATED;
			if (s[j.i] == '"') {
				struct df_buf b = { .max = ENG_DF_FILE_MAX };
				int rc;

				r = json_string(&j, &b);
				if (r != JSON_OK) {
					df_buf_free(&b);
					return r;
				}
				rc = df_strv_push(out, df_buf_take(&b));
				if (rc < 0)
					return rc == -E2BIG ? JSON_TOO_MANY : JSON_NOMEM;
			} else {
				r = json_value(&j, 1);
				if (r != JSON_OK)
					return r;
				only_strings = false;
			}
			json_ws(&j);
			if (j.i >= n)
				return JSON_UNTERMINATED;
			if (s[j.i] == ']') {
				j.i++;
				break;
			}
			if (s[j.i++] != ',')
				return JSON_NOT_JSON;
		}
	}
	json_ws(&j);
	if (j.i != n)
		return JSON_NOT_JSON;
	return only_strings ? JSON_OK : JSON_NOT_STRINGS;
}

/* ---- the instructions ------------------------------------------------- */

/* The rest of an instruction's line: flags taken off, trimmed. */
struct line {
	const char *rest;
	size_t rest_len;
};

/* Takes the JSON form if rest is one: 1 (JSON), 0 (not JSON), <0 error. */
static int maybe_json(struct pstate *ps, enum eng_df_kind kind, const char *rest, size_t len,
		      struct eng_df_instr *in)
{
	struct df_strv sv = { 0 };
	const char *k = eng_df_kind_name(kind);
	enum json_result r;

	if (len == 0 || rest[0] != '[')
		return 0;
	r = json_string_array(rest, len, &sv);
	switch (r) {
	case JSON_OK:
		in->args = sv.v;
		in->n_args = sv.n;
		in->json = true;
		return 1;
	case JSON_NOT_JSON:
		df_strv_free(&sv);
		return 0;
	case JSON_NOT_STRINGS:
		df_strv_free(&sv);
		return perr(ps, "%s: a JSON array must hold strings only", k);
	case JSON_UNTERMINATED:
		df_strv_free(&sv);
		return perr(ps, "%s: unterminated JSON array", k);
	case JSON_NUL:
		df_strv_free(&sv);
		return perr(ps, "%s: a JSON string holds a NUL character", k);
	case JSON_TOO_MANY:
		df_strv_free(&sv);
		return perr_rc(ps, -E2BIG, k);
	case JSON_NOMEM:
	default:
		df_strv_free(&sv);
		return perr_rc(ps, -ENOMEM, k);
	}
}

static int set_args(struct eng_df_instr *in, struct df_strv *sv)
{
	in->args = sv->v;
	in->n_args = sv->n;
	*sv = (struct df_strv){ 0 };
	return 0;
}

/* A word `<<NAME` (not `<<<`): a here-document, which BuildKit reads over
 * the following lines and which this parser does not. */
static int refuse_heredoc(struct pstate *ps, enum eng_df_kind kind, const char *rest, size_t len)
{
	struct df_strv words = { 0 };
	int rc = parse_words(rest, len, ps->escape, &words);

	if (rc < 0)
		return perr_rc(ps, rc, eng_df_kind_name(kind));
	for (size_t i = 0; i < words.n; i++) {
		const char *w = words.v[i];

		if (w[0] == '<' && w[1] == '<' && w[2] != '\0' && w[2] != '<') {
			df_strv_free(&words);
			return perr(ps, "%s: here-documents (<<EOF) are not supported",
				    eng_df_kind_name(kind));
		}
	}
	df_strv_free(&words);
	return 0;
}

/* RUN, CMD, ENTRYPOINT, SHELL: the JSON array or the whole rest. */
static int parse_command(struct pstate *ps, enum eng_df_kind kind, const char *rest, size_t len,
			 struct eng_df_instr *in)
{
	const char *k = eng_df_kind_name(kind);
	int rc = maybe_json(ps, kind, rest, len, in);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		struct df_strv sv = { 0 };

		if (kind == ENG_DF_SHELL)
			return perr(ps, "SHELL requires the arguments to be in JSON form");
		if (len == 0)
			return perr(ps, "%s requires at least one argument", k);
		if (kind == ENG_DF_RUN && (rc = refuse_heredoc(ps, kind, rest, len)) < 0)
			return rc;
		rc = df_strv_push_len(&sv, rest, len);
		if (rc < 0)
			return perr_rc(ps, rc, k);
		return set_args(in, &sv);
	}
	/* CMD [] and ENTRYPOINT [] clear them; RUN [] and SHELL [] mean nothing */
	if (in->n_args == 0 && (kind == ENG_DF_RUN || kind == ENG_DF_SHELL))
		return perr(ps, "%s requires at least one argument", k);
	return 0;
}

/* COPY, ADD, VOLUME: the JSON array or the blank-separated words. */
static int parse_list(struct pstate *ps, enum eng_df_kind kind, const char *rest, size_t len,
		      struct eng_df_instr *in)
{
	const char *k = eng_df_kind_name(kind);
	struct df_strv sv = { 0 };
	int rc = maybe_json(ps, kind, rest, len, in);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		if (kind != ENG_DF_VOLUME && (rc = refuse_heredoc(ps, kind, rest, len)) < 0)
			return rc;
		rc = split_blanks(rest, len, &sv);
		if (rc < 0) {
			df_strv_free(&sv);
			return perr_rc(ps, rc, k);
		}
		set_args(in, &sv);
	}
	if (kind == ENG_DF_VOLUME) {
		if (in->n_args == 0)
			return perr(ps, "VOLUME requires at least one argument");
		for (size_t i = 0; i < in->n_args; i++)
			if (in->args[i][0] == '\0')
				return perr(ps, "VOLUME specified can not be an empty string");
	} else if (in->n_args < 2) {
		return perr(ps, "%s requires at least two arguments (sources and a destination)", k);
	}
	return 0;
}

static int push_kv(struct pstate *ps, enum eng_df_kind kind, struct eng_df_instr *in,
		   const char *key, size_t klen, const char *value, size_t vlen, bool has_value)
{
	struct eng_df_kv *kv;

	if (klen == 0)
		return perr(ps, "%s names can not be blank", eng_df_kind_name(kind));
	if (in->n_kv >= ENG_DF_ARGS_MAX)
		return perr_rc(ps, -E2BIG, eng_df_kind_name(kind));
	/* room for 8, then doubled each time n_kv reaches a power of two */
	if (in->n_kv == 0 || (in->n_kv >= 8 && (in->n_kv & (in->n_kv - 1)) == 0)) {
		kv = reallocarray(in->kv, in->n_kv ? in->n_kv * 2 : 8, sizeof(*kv));
		if (kv == NULL)
			return perr_rc(ps, -ENOMEM, eng_df_kind_name(kind));
		in->kv = kv;
	}
	kv = &in->kv[in->n_kv];
	kv->key = strndup(key, klen);
	kv->value = strndup(has_value ? value : "", has_value ? vlen : 0);
	kv->has_value = has_value;
	in->n_kv++;
	if (kv->key == NULL || kv->value == NULL)
		return perr_rc(ps, -ENOMEM, eng_df_kind_name(kind));
	return 0;
}

/* ENV and LABEL: `KEY value...` (the old form) or `K=V K2="V 2"...`. */
static int parse_name_value(struct pstate *ps, enum eng_df_kind kind, const char *rest,
			    size_t len, struct eng_df_instr *in)
{
	const char *k = eng_df_kind_name(kind);
	struct df_strv words = { 0 };
	int rc = parse_words(rest, len, ps->escape, &words);

	if (rc < 0) {
		df_strv_free(&words);
		return perr_rc(ps, rc, k);
	}
	if (words.n == 0) {
		df_strv_free(&words);
		return perr(ps, "%s requires at least one argument", k);
	}
	if (strchr(words.v[0], '=') == NULL) {
		size_t i = 0, j;

		df_strv_free(&words);
		while (i < len && !is_sep(rest[i]))
			i++;
		j = i;
		while (j < len && is_sep(rest[j]))
			j++;
		if (j == len)
			return perr(ps, "%s must have two arguments (%s NAME VALUE or %s NAME=VALUE)",
				    k, k, k);
		return push_kv(ps, kind, in, rest, i, rest + j, len - j, true);
	}
	for (size_t i = 0; i < words.n && rc == 0; i++) {
		const char *w = words.v[i], *eq = strchr(w, '=');
		char shown[SHOW_MAX + 4];

		if (eq == NULL) {
			df_show(w, strlen(w), shown, sizeof(shown));
			rc = perr(ps, "%s: `%s` is not of the form NAME=VALUE", k, shown);
			break;
		}
		rc = push_kv(ps, kind, in, w, (size_t)(eq - w), eq + 1, strlen(eq + 1), true);
	}
	df_strv_free(&words);
	return rc;
}

/* ARG: NAME or NAME=default, several allowed. */
static int parse_arg(struct pstate *ps, const char *rest, size_t len, struct eng_df_instr *in)
{
	struct df_strv words = { 0 };
	int rc = parse_words(rest, len, ps->escape, &words);

	if (rc < 0) {
		df_strv_free(&words);
		return perr_rc(ps, rc, "ARG");
	}
	if (words.n == 0)
		rc = perr(ps, "ARG requires at least one argument");
	for (size_t i = 0; i < words.n && rc == 0; i++) {
		const char *w = words.v[i], *eq = strchr(w, '=');

		if (eq == NULL)
			rc = push_kv(ps, ENG_DF_ARG, in, w, strlen(w), NULL, 0, false);
		else
			rc = push_kv(ps, ENG_DF_ARG, in, w, (size_t)(eq - w), eq + 1,
				     strlen(eq + 1), true);
	}
	df_strv_free(&words);
	return rc;
}

/* BuildKit's stage names: ^[a-z][a-z0-9-_\.]*$ (after lowercasing). */
static bool stage_name_valid(const char *s)
{
	if (!(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_' || *s == '.'))
			return false;
	return true;
}

static int parse_from(struct pstate *ps, const char *rest, size_t len, struct eng_df_instr *in)
{
	struct df_strv sv = { 0 };
	int rc = split_blanks(rest, len, &sv);

	if (rc < 0) {
		df_strv_free(&sv);
		return perr_rc(ps, rc, "FROM");
	}
	if (sv.n == 0) {
		df_strv_free(&sv);
		return perr(ps, "FROM requires an image");
	}
	if (sv.n == 3 && strcasecmp(sv.v[1], "as") == 0) {
		char shown[SHOW_MAX + 4];

		for (char *c = sv.v[2]; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		if (!stage_name_valid(sv.v[2])) {
			df_show(sv.v[2], strlen(sv.v[2]), shown, sizeof(shown));
			df_strv_free(&sv);
			return perr(ps,
				    "FROM: invalid stage name `%s`: it must start with a letter "
				    "and hold only letters, digits, '-', '_' and '.'",
				    shown);
		}
		in->as = sv.v[2];
		free(sv.v[1]);
		sv.n = 1;
	} else if (sv.n != 1) {
		df_strv_free(&sv);
		return perr(ps, "FROM requires either one or three arguments (FROM IMAGE [AS NAME])");
	}
	return set_args(in, &sv);
}

/* WORKDIR, USER, STOPSIGNAL, MAINTAINER: the rest as one string. */
static int parse_string(struct pstate *ps, enum eng_df_kind kind, const char *rest, size_t len,
			struct eng_df_instr *in)
{
	struct df_strv sv = { 0 };
	int rc;

	if (len == 0)
		return perr(ps, "%s requires exactly one argument", eng_df_kind_name(kind));
	rc = df_strv_push_len(&sv, rest, len);
	if (rc < 0)
		return perr_rc(ps, rc, eng_df_kind_name(kind));
	return set_args(in, &sv);
}

/*
 * BuildKit's extractBuilderFlags: the leading words that start with "--"
 * (quotes and '\' removed), up to the first other word or a bare "--".
 * *rest is left at what follows, untrimmed at its end.
 */
static int extract_flags(const char **rest, size_t *len, struct df_strv *flags)
{
	enum { IN_SPACES, IN_WORD, IN_QUOTE } phase = IN_SPACES;
	const char *s = *rest;
	size_t n = *len;
	struct df_buf w = { .max = ENG_DF_FILE_MAX };
	bool blank_ok = false;
	char quote = 0;
	int rc = 0;

	for (size_t pos = 0; pos <= n && rc == 0; pos++) {
		char ch = pos < n ? s[pos] : '\0';

		if (phase == IN_SPACES) {
			if (pos == n)
				break;
			if (is_blank(ch))
				continue;
			if (ch != '-' || pos + 1 == n || s[pos + 1] != '-') {
				*rest = s + pos;
				*len = n - pos;
				df_buf_free(&w);
				return 0;
			}
			phase = IN_WORD;
		}
		if (pos == n) {
			if (!(w.len == 2 && memcmp(w.p, "--", 2) == 0) && (blank_ok || w.len > 0))
				rc = df_strv_push(flags, df_buf_take(&w));
			break;
		}
		if (phase == IN_WORD) {
			if (is_blank(ch)) {
				phase = IN_SPACES;
				if (w.len == 2 && memcmp(w.p, "--", 2) == 0) {
					*rest = s + pos;
					*len = n - pos;
					df_buf_free(&w);
					return 0;
				}
				if (blank_ok || w.len > 0)
					rc = df_strv_push(flags, df_buf_take(&w));
				df_buf_free(&w);
				blank_ok = false;
				continue;
			}
			if (ch == '\'' || ch == '"') {
				quote = ch;
				blank_ok = true;
				phase = IN_QUOTE;
				continue;
			}
			if (ch == '\\') {
				if (pos + 1 == n)
					continue;
				ch = s[++pos];
			}
			rc = df_buf_addc(&w, ch);
			continue;
		}
		if (ch == quote) {
			phase = IN_WORD;
			continue;
		}
		if (ch == '\\') {
			if (pos + 1 == n) {
				phase = IN_WORD;
				continue;
			}
			ch = s[++pos];
		}
		rc = df_buf_addc(&w, ch);
	}
	df_buf_free(&w);
	*rest = s + n;
	*len = 0;
	return rc;
}

/* Each flag is --name=value with a name the instruction takes, once. */
static int check_flags(struct pstate *ps, struct eng_df_instr *in)
{
	const char *k = eng_df_kind_name(in->kind);
	char shown[SHOW_MAX + 4];

	for (size_t i = 0; i < in->n_flags; i++) {
		const char *f = in->flags[i] + 2, *eq = strchr(f, '=');
		size_t nlen = eq != NULL ? (size_t)(eq - f) : strlen(f);

		df_show(f, nlen, shown, sizeof(shown));
		if (!flag_allowed(in->kind, f, nlen))
			return perr(ps, "%s: unknown flag: --%s", k, shown);
		if (eq == NULL || eq[1] == '\0')
			return perr(ps, "%s: flag --%s needs a value (--%s=...)", k, shown, shown);
		for (size_t j = 0; j < i; j++)
			if (strncmp(in->flags[j] + 2, f, nlen + 1) == 0)
				return perr(ps, "%s: duplicate flag: --%s", k, shown);
	}
	return 0;
}

/*
 * The instruction's text: its name in capitals, then the rest of the line
 * with each run of blanks outside quotes and not escaped made one space
 * (inside quotes, '\\' and the escape character both escape).
 */
static int text_collapse(const char *kw, const char *rest, size_t len, char escape, char **out)
{
	struct df_buf b = { .max = ENG_DF_FILE_MAX };
	char quote = 0;
	int rc;

	trim(&rest, &len);
	rc = df_buf_add(&b, kw, strlen(kw));
	if (rc == 0 && len > 0)
		rc = df_buf_addc(&b, ' ');
	for (size_t i = 0; i < len && rc == 0; i++) {
		char c = rest[i];

		if (quote == 0 && is_blank(c)) {
			while (i + 1 < len && is_blank(rest[i + 1]))
				i++;
			rc = df_buf_addc(&b, ' ');
			continue;
		}
		rc = df_buf_addc(&b, c);
		if (quote != '\'' && (c == '\\' || c == escape) && i + 1 < len)
			rc = rc ? rc : df_buf_addc(&b, rest[++i]);
		else if (quote == 0 && (c == '\'' || c == '"'))
			quote = c;
		else if (quote != 0 && c == quote)
			quote = 0;
	}
	if (rc < 0) {
		df_buf_free(&b);
		return rc;
	}
	*out = df_buf_take(&b);
	return *out != NULL ? 0 : -ENOMEM;
}

static const struct {
	const char *name;
	int kind; /* enum eng_df_kind, or -1: recognised and refused */
} instructions[] = {
	{ "FROM", ENG_DF_FROM },
	{ "RUN", ENG_DF_RUN },
	{ "CMD", ENG_DF_CMD },
	{ "ENTRYPOINT", ENG_DF_ENTRYPOINT },
	{ "COPY", ENG_DF_COPY },
	{ "ADD", ENG_DF_ADD },
	{ "ENV", ENG_DF_ENV },
	{ "ARG", ENG_DF_ARG },
	{ "LABEL", ENG_DF_LABEL },
	{ "EXPOSE", ENG_DF_EXPOSE },
	{ "WORKDIR", ENG_DF_WORKDIR },
	{ "USER", ENG_DF_USER },
	{ "VOLUME", ENG_DF_VOLUME },
	{ "STOPSIGNAL", ENG_DF_STOPSIGNAL },
	{ "SHELL", ENG_DF_SHELL },
	{ "MAINTAINER", ENG_DF_MAINTAINER },
	{ "HEALTHCHECK", -1 },
	{ "ONBUILD", -1 },
};

/* One instruction (its logical line, continuations joined) into in. */
static int parse_instruction(struct pstate *ps, const char *line, size_t len,
			     struct eng_df_instr *in)
{
	struct df_strv flags = { 0 };
	const char *rest;
	size_t klen = 0, rest_len;
	char upper[SHOW_MAX + 4];
	int rc, kind = -2;

	trim(&line, &len);
	if (len == 0)
		return perr(ps, "empty instruction (an escape at the end of a line, then nothing)");
	while (klen < len && !is_sep(line[klen]))
		klen++;
	for (size_t i = 0; i < sizeof(instructions) / sizeof(instructions[0]); i++)
		if (strlen(instructions[i].name) == klen &&
		    strncasecmp(instructions[i].name, line, klen) == 0)
			kind = instructions[i].kind;
	df_show(line, klen, upper, sizeof(upper));
	for (char *c = upper; *c != '\0'; c++)
		*c = (char)toupper((unsigned char)*c);
	if (kind == -2)
		return perr(ps, "unknown instruction: %s", upper);
	if (kind == -1)
		return perr(ps, "%s is not supported", upper);
	in->kind = (enum eng_df_kind)kind;

	rest = line + klen;
	rest_len = len - klen;
	rc = text_collapse(eng_df_kind_name(in->kind), rest, rest_len, ps->escape, &in->text);
	if (rc < 0)
		return perr_rc(ps, rc, upper);
	rc = extract_flags(&rest, &rest_len, &flags);
	in->flags = flags.v;
	in->n_flags = flags.n;
	if (rc < 0)
		return perr_rc(ps, rc, upper);
	trim(&rest, &rest_len);
	rc = check_flags(ps, in);
	if (rc < 0)
		return rc;

	switch (in->kind) {
	case ENG_DF_FROM:
		return parse_from(ps, rest, rest_len, in);
	case ENG_DF_RUN:
	case ENG_DF_CMD:
	case ENG_DF_ENTRYPOINT:
	case ENG_DF_SHELL:
		return parse_command(ps, in->kind, rest, rest_len, in);
	case ENG_DF_COPY:
	case ENG_DF_ADD:
	case ENG_DF_VOLUME:
		return parse_list(ps, in->kind, rest, rest_len, in);
	case ENG_DF_ENV:
	case ENG_DF_LABEL:
		return parse_name_value(ps, in->kind, rest, rest_len, in);
	case ENG_DF_ARG:
		return parse_arg(ps, rest, rest_len, in);
	case ENG_DF_EXPOSE: {
		struct df_strv sv = { 0 };

		rc = split_blanks(rest, rest_len, &sv);
		if (rc < 0) {
			df_strv_free(&sv);
			return perr_rc(ps, rc, "EXPOSE");
		}
		set_args(in, &sv);
		if (in->n_args == 0)
			return perr(ps, "EXPOSE requires at least one argument");
		return 0;
	}
	case ENG_DF_WORKDIR:
	case ENG_DF_USER:
	case ENG_DF_STOPSIGNAL:
	case ENG_DF_MAINTAINER:
		return parse_string(ps, in->kind, rest, rest_len, in);
	}
	return perr(ps, "unknown instruction: %s", upper);
}

/* ---- lines, comments, continuations, directives ------------------------ */

struct reader {
	const char *s;
	size_t n, pos;
	unsigned lineno;
};

/* The next physical line (without "\n" and one "\r" before it, as Go's
 * bufio.ScanLines). */
static bool next_line(struct reader *r, const char **line, size_t *len)
{
	const char *nl;

	if (r->pos >= r->n)
		return false;
	*line = r->s + r->pos;
	nl = memchr(*line, '\n', r->n - r->pos);
	*len = nl != NULL ? (size_t)(nl - *line) : r->n - r->pos;
	r->pos += *len + (nl != NULL);
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	r->lineno++;
	return true;
}

static bool is_comment(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && is_blank(s[i]))
		i++;
	return i < len && s[i] == '#';
}

static bool is_all_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_blank(s[i]))
			return false;
	return true;
}

/* Drops "ESC[ \t]*" at the end of the line; true if it was there. */
static bool trim_continuation(const char *s, size_t *len, char escape)
{
	size_t j = *len;

	while (j > 0 && (s[j - 1] == ' ' || s[j - 1] == '\t'))
		j--;
	if (j > 0 && s[j - 1] == escape) {
		*len = j - 1;
		return true;
	}
	return false;
}

struct directives {
	bool done, seen_escape, seen_syntax, seen_check;
};

/* Go's regexp \s: [\t\n\f\r ]. */
static bool is_re_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* `# name = value` at the top of the file (BuildKit's DirectiveParser):
 * escape sets the escape character, syntax and check are read and ignored,
 * anything else ends the directives. */
static int directive(struct pstate *ps, struct directives *d, const char *s, size_t len)
{
	size_t i = 0, name, name_len, v, v_end;
	bool *seen;

	if (d->done)
		return 0;
	if (len == 0 || s[0] != '#') {
		d->done = true;
		return 0;
	}
	for (i = 1; i < len && is_blank(s[i]); i++)
		;
	name = i;
	if (i < len && isalpha((unsigned char)s[i]))
		for (i++; i < len && isalnum((unsigned char)s[i]); i++)
			;
	name_len = i - name;
	while (i < len && is_re_space(s[i]))
		i++;
	if (name_len == 0 || i >= len || s[i] != '=') {
		d->done = true;
		return 0;
	}
	for (i++; i < len && is_re_space(s[i]); i++)
		;
	v = i;
	v_end = len;
	while (v_end > v && is_re_space(s[v_end - 1]))
		v_end--;
	if (v_end == v) {
		d->done = true;
		return 0;
	}
	if (name_len == 6 && strncasecmp(s + name, "escape", 6) == 0)
		seen = &d->seen_escape;
	else if (name_len == 6 && strncasecmp(s + name, "syntax", 6) == 0)
		seen = &d->seen_syntax;
	else if (name_len == 5 && strncasecmp(s + name, "check", 5) == 0)
		seen = &d->seen_check;
	else {
		d->done = true;
		return 0;
	}
	if (*seen)
		return perr(ps, "only one %s parser directive can be used",
			    seen == &d->seen_escape   ? "escape"
			    : seen == &d->seen_syntax ? "syntax"
						      : "check");
	*seen = true;
	if (seen == &d->seen_escape) {
		char shown[SHOW_MAX + 4];

		if (v_end - v == 1 && (s[v] == '\\' || s[v] == '`')) {
			ps->escape = s[v];
			return 0;
		}
		df_show(s + v, v_end - v, shown, sizeof(shown));
		return perr(ps, "invalid escape token '%s' does not match ` or \\", shown);
	}
	return 0;
}

void eng_df_instr_free(struct eng_df_instr *in)
{
	if (in == NULL)
		return;
	free(in->text);
	for (size_t i = 0; i < in->n_args; i++)
		free(in->args[i]);
	free(in->args);
	free(in->as);
	for (size_t i = 0; i < in->n_flags; i++)
		free(in->flags[i]);
	free(in->flags);
	for (size_t i = 0; i < in->n_kv; i++) {
		free(in->kv[i].key);
		free(in->kv[i].value);
	}
	free(in->kv);
	*in = (struct eng_df_instr){ 0 };
}

void eng_dockerfile_free(struct eng_dockerfile *df)
{
	if (df == NULL)
		return;
	for (size_t i = 0; i < df->n; i++)
		eng_df_instr_free(&df->instrs[i]);
	free(df->instrs);
	*df = (struct eng_dockerfile){ .escape = '\\' };
}

const char *eng_df_flag(const struct eng_df_instr *in, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < in->n_flags; i++) {
		const char *f = in->flags[i];

		if (strncmp(f, "--", 2) == 0 && strncmp(f + 2, name, len) == 0 && f[2 + len] == '=')
			return f + 3 + len;
	}
	return NULL;
}

/* Appends the instruction of the logical line to df, checking the order. */
static int add_instruction(struct pstate *ps, struct eng_dockerfile *df, size_t *cap,
			   const char *line, size_t len, bool *seen_from)
{
	struct eng_df_instr in = { .line = ps->line };
	struct eng_df_instr *v;
	int rc;

	if (df->n >= ENG_DF_INSTR_MAX)
		return perr(ps, "more than %d instructions", ENG_DF_INSTR_MAX);
	rc = parse_instruction(ps, line, len, &in);
	if (rc < 0) {
		eng_df_instr_free(&in);
		return rc;
	}
	if (!*seen_from && in.kind != ENG_DF_FROM && in.kind != ENG_DF_ARG) {
		rc = perr(ps, "%s before the first FROM (only ARG may come before it)",
			  eng_df_kind_name(in.kind));
		eng_df_instr_free(&in);
		return rc;
	}
	*seen_from = *seen_from || in.kind == ENG_DF_FROM;
	if (df->n == *cap) {
		size_t new_cap = *cap ? *cap * 2 : 16;

		v = reallocarray(df->instrs, new_cap, sizeof(*v));
		if (v == NULL) {
			eng_df_instr_free(&in);
			return perr_rc(ps, -ENOMEM, eng_df_kind_name(in.kind));
		}
		df->instrs = v;
		*cap = new_cap;
	}
	df->instrs[df->n++] = in;
	return 0;
}

static int parse_lines(struct pstate *ps, const char *text, size_t len, struct eng_dockerfile *df)
{
	struct reader r = { .s = text, .n = len };
	struct directives d = { 0 };
	struct df_buf joined = { .max = ENG_DF_FILE_MAX };
	bool seen_from = false;
	size_t cap = 0;
	const char *l;
	size_t ll;
	int rc = 0;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		r.pos = 3;
	while (rc == 0 && next_line(&r, &l, &ll)) {
		bool end;

		ps->line = r.lineno;
		if (ll > ENG_DF_LINE_MAX) {
			rc = perr(ps, "line longer than %d bytes", ENG_DF_LINE_MAX);
			break;
		}
		while (ll > 0 && is_blank(*l)) {
			l++;
			ll--;
		}
		rc = directive(ps, &d, l, ll);
		if (rc < 0)
			break;
		if (is_comment(l, ll))
			ll = 0;
		end = !trim_continuation(l, &ll, ps->escape);
		if (end && ll == 0)
			continue;
		df_buf_free(&joined);
		rc = df_buf_add(&joined, l, ll);
		while (rc == 0 && !end && next_line(&r, &l, &ll)) {
			if (ll > ENG_DF_LINE_MAX) {
				ps->line = r.lineno;
				rc = perr(ps, "line longer than %d bytes", ENG_DF_LINE_MAX);
				break;
			}
			if (is_comment(l, ll) || is_all_blank(l, ll))
				continue;
			end = !trim_continuation(l, &ll, ps->escape);
			rc = df_buf_add(&joined, l, ll);
		}
		if (rc == -ENOMEM || rc == -E2BIG)
			rc = perr_rc(ps, rc, "Dockerfile");
		if (rc == 0)
			rc = add_instruction(ps, df, &cap, joined.p, joined.len, &seen_from);
	}
	df_buf_free(&joined);
	if (rc < 0)
		return rc;
	ps->line = 0;
	if (df->n == 0)
		return perr(ps, "no instructions");
	if (!seen_from)
		return perr(ps, "no FROM instruction");
	return 0;
}

int eng_dockerfile_parse(const char *text, size_t len, const char *filename,
			 struct eng_dockerfile *out, struct isolab_error *err)
{
	struct pstate ps = { .file = filename != NULL ? filename : "Dockerfile",
			     .escape = '\\',
			     .err = err };
	const char *nul;
	int rc;

	*out = (struct eng_dockerfile){ .escape = '\\' };
	if (len > ENG_DF_FILE_MAX)
		return perr(&ps, "larger than %d bytes", ENG_DF_FILE_MAX);
	nul = len > 0 ? memchr(text, '\0', len) : NULL;
	if (nul != NULL) {
		ps.line = 1;
		for (const char *c = text; c < nul; c++)
			ps.line += *c == '\n';
		return perr(&ps, "NUL byte in the file");
	}
	rc = parse_lines(&ps, text, len, out);
	if (rc < 0) {
		eng_dockerfile_free(out);
		return rc;
	}
	out->escape = ps.escape;
	return 0;
}

/* ---- variable substitution (BuildKit's shell/lex.go) ------------------ */

/* Words as ProcessWords splits them: blanks split only where they came
 * from unquoted text or a variable. */
struct words {
	struct df_strv v;
	struct df_buf cur;
	bool in_word;
};

static int words_raw_char(struct words *w, char c)
{
	if (w == NULL)
		return 0;
	w->in_word = true;
	return df_buf_addc(&w->cur, c);
}

static int words_char(struct words *w, char c)
{
	if (w == NULL)
		return 0;
	if (!is_blank(c))
		return words_raw_char(w, c);
	if (w->in_word && w->cur.len > 0) {
		w->in_word = false;
		return df_strv_push(&w->v, df_buf_take(&w->cur));
	}
	return 0;
}

static int words_string(struct words *w, const struct df_buf *b, bool raw)
{
	int rc = 0;

	if (w == NULL)
		return 0;
	if (raw) {
		w->in_word = true;
		return df_buf_add(&w->cur, b->p, b->len);
	}
	for (size_t i = 0; i < b->len && rc == 0; i++)
		rc = words_char(w, b->p[i]);
	return rc;
}

struct lex {
	const char *s;
	size_t n, i;
	char esc;
	char *const *vars;
	size_t n_vars;
	int depth;
	char why[160]; /* set with -EINVAL */
};

/* Errors inside the lexer: -EINVAL with why, or the buffers' -E2BIG/-ENOMEM. */
static __attribute__((format(printf, 2, 3))) int lex_fail(struct lex *lx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lx->why, sizeof(lx->why), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	return -EINVAL;
}

/* A variable's value (the last "K=V" for K wins; "K" alone is ""), or NULL. */
static const char *lex_getenv(const struct lex *lx, const char *name, size_t nlen, size_t *vlen)
{
	for (size_t k = lx->n_vars; k-- > 0;) {
		const char *e = lx->vars[k], *eq;
		size_t klen;

		if (e == NULL)
			continue;
		eq = strchr(e, '=');
		klen = eq != NULL ? (size_t)(eq - e) : strlen(e);
		if (klen == nlen && memcmp(e, name, nlen) == 0) {
			*vlen = eq != NULL ? strlen(eq + 1) : 0;
			return eq != NULL ? eq + 1 : "";
		}
	}
	*vlen = 0;
	return NULL;
}

/* A name after '$': digits, one special parameter, or [A-Za-z0-9_]*. */
static size_t lex_name(struct lex *lx)
{
	size_t start = lx->i;

	if (lx->i < lx->n && isdigit((unsigned char)lx->s[lx->i])) {
		while (lx->i < lx->n && isdigit((unsigned char)lx->s[lx->i]))
			lx->i++;
		return lx->i - start;
	}
	if (lx->i < lx->n && strchr("@*#?-$!0", lx->s[lx->i]) != NULL && lx->s[lx->i] != '\0') {
		lx->i++;
		return 1;
	}
	while (lx->i < lx->n &&
	       (isalnum((unsigned char)lx->s[lx->i]) || lx->s[lx->i] == '_'))
		lx->i++;
	return lx->i - start;
}

static int lex_until(struct lex *lx, char stop, struct df_buf *out, struct words *w);

/* $NAME or ${NAME...} at lx->i, its value appended to out. */
static int lex_dollar(struct lex *lx, struct df_buf *out)
{
	struct df_buf word = { .max = ENG_DF_EXPAND_MAX };
	const char *name, *value;
	size_t nlen, vlen;
	bool colon = false;
	char c;
	int rc;

	lx->i++;
	if (lx->i >= lx->n || lx->s[lx->i] != '{') {
		name = lx->s + lx->i;
		nlen = lex_name(lx);
		if (nlen == 0)
			return df_buf_addc(out, '$');
		value = lex_getenv(lx, name, nlen, &vlen);
		return value != NULL ? df_buf_add(out, value, vlen) : 0;
	}
	lx->i++;
	if (lx->i >= lx->n)
		return lex_fail(lx, "missing '}'");
	if (lx->s[lx->i] == '{' || lx->s[lx->i] == '}' || lx->s[lx->i] == ':')
		return lex_fail(lx, "bad substitution");
	name = lx->s + lx->i;
	nlen = lex_name(lx);
	if (lx->i >= lx->n)
		return lex_fail(lx, "missing '}'");
	c = lx->s[lx->i++];
	if (c == '}') {
		value = lex_getenv(lx, name, nlen, &vlen);
		return value != NULL ? df_buf_add(out, value, vlen) : 0;
	}
	if (c == ':') {
		colon = true;
		if (lx->i >= lx->n)
			return lex_fail(lx, "missing '}'");
		c = lx->s[lx->i++];
	}
	if (c != '-' && c != '+' && c != '?') {
		if (c == '#' || c == '%' || c == '/')
			return lex_fail(lx, "${NAME%s%c...} is not supported", colon ? ":" : "", c);
		return lex_fail(lx, "unsupported modifier (%s%c) in substitution", colon ? ":" : "",
				isprint((unsigned char)c) ? c : '?');
	}
	if (lx->depth >= ENG_DF_EXPAND_DEPTH)
		return lex_fail(lx, "substitutions nested more than %d deep", ENG_DF_EXPAND_DEPTH);
	lx->depth++;
	rc = lex_until(lx, '}', &word, NULL);
	lx->depth--;
	if (rc == -EPIPE)
		rc = lex_fail(lx, "missing '}'");
	if (rc < 0) {
		df_buf_free(&word);
		return rc;
	}
	value = lex_getenv(lx, name, nlen, &vlen);
	if (value == NULL || (colon && vlen == 0)) {
		if (c == '-')
			rc = df_buf_add(out, word.p, word.len);
		else if (c == '?')
			rc = lex_fail(lx, "%.*s: %s", (int)nlen, name,
				      word.len > 0  ? word.p
				      : value == NULL ? "is not allowed to be unset"
						      : "is not allowed to be empty");
	} else {
		if (c == '+')
			rc = df_buf_add(out, word.p, word.len);
		else
			rc = df_buf_add(out, value, vlen);
	}
	df_buf_free(&word);
	return rc;
}

static int lex_single_quote(struct lex *lx, struct df_buf *out)
{
	int rc = 0;

	lx->i++;
	while (rc == 0) {
		if (lx->i >= lx->n)
			return lex_fail(lx, "unexpected end of statement while looking for matching "
					    "single-quote");
		if (lx->s[lx->i] == '\'') {
			lx->i++;
			return 0;
		}
		rc = df_buf_addc(out, lx->s[lx->i++]);
	}
	return rc;
}

static int lex_double_quote(struct lex *lx, struct df_buf *out)
{
	int rc = 0;

	lx->i++;
	while (rc == 0) {
		char c;

		if (lx->i >= lx->n)
			return lex_fail(lx, "unexpected end of statement while looking for matching "
					    "double-quote");
		c = lx->s[lx->i];
		if (c == '"') {
			lx->i++;
			return 0;
		}
		if (c == '$') {
			rc = lex_dollar(lx, out);
			continue;
		}
		lx->i++;
		if (c == lx->esc) {
			if (lx->i >= lx->n)
				continue;
			if (lx->s[lx->i] == '"' || lx->s[lx->i] == '$' || lx->s[lx->i] == lx->esc)
				c = lx->s[lx->i++];
		}
		rc = df_buf_addc(out, c);
	}
	return rc;
}

/* The word up to stop ('\0': its end) into out (and w). -EPIPE: the end
 * came before stop. */
static int lex_until(struct lex *lx, char stop, struct df_buf *out, struct words *w)
{
	int rc = 0;

	while (lx->i < lx->n && rc == 0) {
		char c = lx->s[lx->i];

		if (stop != '\0' && c == stop) {
			lx->i++;
			return 0;
		}
		if (c == '$' || c == '\'' || c == '"') {
			struct df_buf part = { .max = ENG_DF_EXPAND_MAX };

			rc = c == '$' ? lex_dollar(lx, &part)
			   : c == '\'' ? lex_single_quote(lx, &part)
				      : lex_double_quote(lx, &part);
			if (rc == 0)
				rc = df_buf_add(out, part.p, part.len);
			if (rc == 0)
				rc = words_string(w, &part, c != '$');
			df_buf_free(&part);
			continue;
		}
		lx->i++;
		if (c == lx->esc) {
			if (lx->i >= lx->n)
				break;
			c = lx->s[lx->i++];
			rc = words_raw_char(w, c);
		} else {
			rc = words_char(w, c);
		}
		if (rc == 0)
			rc = df_buf_addc(out, c);
	}
	if (rc == 0 && stop != '\0')
		rc = -EPIPE;
	return rc;
}

static int expand(const char *word, char *const *vars, size_t n_vars, char escape,
		  struct df_buf *out, struct words *w, struct isolab_error *err)
{
	struct lex lx = { .s = word, .n = strlen(word), .esc = escape, .vars = vars,
			  .n_vars = n_vars };
	char shown[SHOW_MAX + 4];
	int rc;

	df_show(word, lx.n, shown, sizeof(shown));
	if (escape != '\\' && escape != '`')
		return isolab_error_set(err, -EINVAL, "expanding `%s`: escape character is not \\ or `",
					shown);
	rc = lex_until(&lx, '\0', out, w);
	if (rc == 0 && w != NULL && w->cur.len > 0)
		rc = df_strv_push(&w->v, df_buf_take(&w->cur));
	if (rc == -EINVAL)
		return isolab_error_set(err, rc, "expanding `%s`: %s", shown, lx.why);
	if (rc == -E2BIG)
		return isolab_error_set(err, -EINVAL, "expanding `%s`: more than %d bytes (or %d words)",
					shown, ENG_DF_EXPAND_MAX, ENG_DF_ARGS_MAX);
	if (rc < 0)
		return isolab_error_errno(err, rc, "expanding `%s`", shown);
	return 0;
}

int eng_df_expand(const char *word, char *const *vars, size_t n_vars, char escape, char **out,
		  struct isolab_error *err)
{
	struct df_buf b = { .max = ENG_DF_EXPAND_MAX };
	int rc = expand(word, vars, n_vars, escape, &b, NULL, err);

	*out = NULL;
	if (rc < 0) {
		df_buf_free(&b);
		return rc;
	}
	*out = df_buf_take(&b);
	if (*out == NULL)
		return isolab_error_errno(err, -ENOMEM, "expanding a word");
	return 0;
}

int eng_df_expand_words(const char *word, char *const *vars, size_t n_vars, char escape,
			char ***out, size_t *n_out, struct isolab_error *err)
{
	struct df_buf b = { .max = ENG_DF_EXPAND_MAX };
	struct words w = { .cur = { .max = ENG_DF_EXPAND_MAX } };
	int rc = expand(word, vars, n_vars, escape, &b, &w, err);

	df_buf_free(&b);
	df_buf_free(&w.cur);
	*out = NULL;
	*n_out = 0;
	if (rc < 0) {
		df_strv_free(&w.v);
		return rc;
	}
	*out = w.v.v;
	*n_out = w.v.n;
	return 0;
}

/* Whether Docker substitutes variables in this instruction's words. */
static bool kind_expands(enum eng_df_kind kind)
{
	switch (kind) {
	case ENG_DF_RUN:
	case ENG_DF_CMD:
	case ENG_DF_ENTRYPOINT:
	case ENG_DF_SHELL:
	case ENG_DF_MAINTAINER:
		return false;
	default:
		return true;
	}
}

static int dup_into(char **dst, const char *src)
{
	if (src == NULL) {
		*dst = NULL;
		return 0;
	}
	*dst = strdup(src);
	return *dst != NULL ? 0 : -ENOMEM;
}

static int instr_expand(const struct eng_df_instr *in, char *const *vars, size_t n_vars,
			char escape, struct eng_df_instr *out, struct isolab_error *err)
{
	bool subst = kind_expands(in->kind);
	struct df_strv args = { 0 }, flags = { 0 };
	int rc = 0;

	out->kind = in->kind;
	out->line = in->line;
	out->json = in->json;
	if (dup_into(&out->text, in->text) < 0 || dup_into(&out->as, in->as) < 0)
		return -ENOMEM;
	/* --from=$STAGE, --chown=$UID, --platform=$P: the value is substituted */
	for (size_t i = 0; i < in->n_flags && rc == 0; i++) {
		const char *f = in->flags[i], *eq = strchr(f, '=');
		char *v = NULL, *joined = NULL;

		if (!subst || eq == NULL) {
			rc = df_strv_push(&flags, strdup(f));
			continue;
		}
		rc = eng_df_expand(eq + 1, vars, n_vars, escape, &v, err);
		if (rc == 0 && asprintf(&joined, "%.*s%s", (int)(eq + 1 - f), f, v) < 0)
			rc = -ENOMEM;
		free(v);
		if (rc == 0)
			rc = df_strv_push(&flags, joined);
	}
	out->flags = flags.v;
	out->n_flags = flags.n;
	for (size_t i = 0; i < in->n_args && rc == 0; i++) {
		if (!subst) {
			rc = df_strv_push(&args, strdup(in->args[i]));
		} else if (in->kind == ENG_DF_EXPOSE) {
			char **words;
			size_t n;

			rc = eng_df_expand_words(in->args[i], vars, n_vars, escape, &words, &n, err);
			for (size_t k = 0; k < n; k++)
				if (rc == 0)
					rc = df_strv_push(&args, words[k]);
				else
					free(words[k]);
			free(words);
		} else {
			char *v;

			rc = eng_df_expand(in->args[i], vars, n_vars, escape, &v, err);
			if (rc == 0)
				rc = df_strv_push(&args, v);
		}
	}
	out->args = args.v;
	out->n_args = args.n;
	if (rc < 0)
		return rc;
	if (in->n_kv > 0) {
		out->kv = calloc(in->n_kv, sizeof(*out->kv));
		if (out->kv == NULL)
			return -ENOMEM;
	}
	for (size_t i = 0; i < in->n_kv && rc == 0; i++) {
		struct eng_df_kv *kv = &out->kv[i];

		out->n_kv++;
		kv->has_value = in->kv[i].has_value;
		rc = eng_df_expand(in->kv[i].key, vars, n_vars, escape, &kv->key, err);
		if (rc == 0)
			rc = eng_df_expand(in->kv[i].value, vars, n_vars, escape, &kv->value, err);
	}
	return rc;
}

int eng_df_instr_expand(const struct eng_df_instr *in, char *const *vars, size_t n_vars,
			char escape, struct eng_df_instr *out, struct isolab_error *err)
{
	struct isolab_error local = { 0 };
	int rc;

	*out = (struct eng_df_instr){ 0 };
	rc = instr_expand(in, vars, n_vars, escape, out, &local);
	if (rc == 0)
		return 0;
	eng_df_instr_free(out);
	if (rc == -ENOMEM || rc == -E2BIG)
		return isolab_error_set(err, rc == -E2BIG ? -EINVAL : rc, "%s: %s",
					eng_df_kind_name(in->kind),
					rc == -E2BIG ? "too many words" : "out of memory");
	return isolab_error_set(err, rc, "%s: %s", eng_df_kind_name(in->kind), local.msg);
}
