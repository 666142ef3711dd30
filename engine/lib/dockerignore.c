/*
 * dockerignore.c: .dockerignore patterns, cleaned and compiled as Docker
 * does (see dockerignore.h), matched by a small NFA over the pattern's
 * tokens (no backtracking: time linear in the path for each pattern).
 */
#include "engine/lib/dockerignore.h"
#include "common/utf8.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* How much of a pattern an error message shows. */
#define SHOW_MAX 80

/* The tokens of a compiled pattern. Docker turns a pattern into a regular
 * expression; each token here is one of its pieces. */
enum gkind {
	G_LIT,   /* one character */
	G_ONE,   /* ?: [^/] */
	G_CLASS, /* [...]: one character of the class, never '/' */
	G_STAR,  /* *: [^/]* */
	G_ANY,   /* ** at the end (or Docker's suffix shortcut): .* */
	G_DIRS,  /* ** before more: any number of whole directories, or none */
};

struct gtok {
	unsigned char kind;
	bool negated;   /* G_CLASS: [^...] */
	uint32_t c;     /* G_LIT: the character */
	uint32_t r_off; /* G_CLASS: its ranges in glob.ranges */
	uint32_t r_n;
};

struct grange {
	uint32_t lo, hi;
};

struct glob {
	struct gtok *t;
	size_t n;
	struct grange *ranges;
	size_t n_ranges;
};

struct pattern {
	bool exception;
	struct glob whole;
	/* exceptions only, for eng_ignore_must_descend: each '/'-separated
	 * component, and whether it holds `**` (or did not compile alone) */
	struct glob *comps;
	bool *comp_any_depth;
	size_t n_comps;
};

struct eng_ignore {
	struct pattern *p;
	size_t n, cap;
	bool exceptions;
};

/* ---- characters ------------------------------------------------------- */

/* Invalid UTF-8 bytes are characters of their own, outside Unicode. */
#define CP_INVALID_BASE 0x110000u


/* The character at s[*i] (a code point, or CP_INVALID_BASE + byte); *i moves
 * past it. *valid says whether it was valid UTF-8. */
static uint32_t next_cp(const char *s, size_t n, size_t *i, bool *valid)
{
	const unsigned char *u = (const unsigned char *)s + *i;
	size_t len = isolab_utf8_len(u, n - *i);
	uint32_t cp;

	if (len == 0) {
		*valid = false;
		(*i)++;
		return CP_INVALID_BASE + u[0];
	}
	*valid = true;
	*i += len;
	if (len == 1)
		return u[0];
	cp = u[0] & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
	for (size_t k = 1; k < len; k++)
		cp = (cp << 6) | (u[k] & 0x3f);
	return cp;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static void show(const char *s, size_t len, char *buf, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len && i < SHOW_MAX && o + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (len > SHOW_MAX)
		for (int i = 0; i < 3 && o + 1 < size; i++)
			buf[o++] = '.';
	buf[o] = '\0';
}

/* ---- compiling -------------------------------------------------------- */

static void glob_free(struct glob *g)
{
	free(g->t);
	free(g->ranges);
	*g = (struct glob){ 0 };
}

/* Arrays sized for a pattern of len bytes: at most one token and one range
 * per byte. */
static int glob_alloc(struct glob *g, size_t len)
{
	g->t = calloc(len + 1, sizeof(*g->t));
	g->ranges = calloc(len + 1, sizeof(*g->ranges));
	if (g->t == NULL || g->ranges == NULL) {
		glob_free(g);
		return -ENOMEM;
	}
	return 0;
}

static void emit(struct glob *g, enum gkind kind, uint32_t c)
{
	g->t[g->n++] = (struct gtok){ .kind = (unsigned char)kind, .c = c };
}

/* One end of a class range (Go's filepath getEsc): NULL, or why it is bad. */
static const char *class_char(const char *p, size_t len, size_t *i, uint32_t *out)
{
	bool valid;

	if (*i >= len)
		return "unterminated [ class";
	if (p[*i] == '-' || p[*i] == ']')
		return "bad [ class";
	if (p[*i] == '\\' && ++*i >= len)
		return "unterminated [ class";
	*out = next_cp(p, len, i, &valid);
	if (!valid)
		return "bad [ class";
	if (*i >= len)
		return "unterminated [ class";
	return NULL;
}

/* The class at p[*i] (on its '['), as Go's filepath.Match reads it. */
static const char *compile_class(struct glob *g, const char *p, size_t len, size_t *i)
{
	struct gtok *t = &g->t[g->n];

	*t = (struct gtok){ .kind = G_CLASS, .r_off = (uint32_t)g->n_ranges };
	(*i)++;
	if (*i < len && p[*i] == '^') {
		t->negated = true;
		(*i)++;
	}
	for (;;) {
		struct grange r;
		const char *why;

		if (*i < len && p[*i] == ']' && t->r_n > 0) {
			(*i)++;
			break;
		}
		why = class_char(p, len, i, &r.lo);
		if (why != NULL)
			return why;
		r.hi = r.lo;
		if (p[*i] == '-') {
			(*i)++;
			why = class_char(p, len, i, &r.hi);
			if (why != NULL)
				return why;
		}
		g->ranges[g->n_ranges++] = r;
		t->r_n++;
	}
	g->n++;
	return NULL;
}

/*
 * Compiles a cleaned pattern as moby/patternmatcher's Pattern.compile does,
 * including its shortcuts: a pattern that starts with `**` and has no other
 * wildcard matches by suffix (so `**name` is any path ending in "name").
 * Returns NULL, or why the pattern is bad (g then freed).
 */
static const char *compile(const char *p, size_t len, struct glob *g, int *rc)
{
	enum { EXACT, PREFIX, SUFFIX, REGEX } type = EXACT;
	bool suffix_no_slash = false;
	const char *why = NULL;
	size_t i = 0;

	*rc = glob_alloc(g, len);
	if (*rc < 0)
		return "out of memory";
	for (size_t idx = 0; i < len && why == NULL; idx++) {
		bool valid;

		if (p[i] == '*' && i + 1 < len && p[i + 1] == '*') {
			bool slash;

			i += 2;
			slash = i < len && p[i] == '/';
			i += slash;
			if (i >= len) {
				emit(g, G_ANY, 0);
				type = type == EXACT ? PREFIX : REGEX;
			} else {
				emit(g, G_DIRS, 0);
				type = REGEX;
				suffix_no_slash = idx == 0 && !slash;
			}
			if (idx == 0)
				type = SUFFIX;
		} else if (p[i] == '*') {
			i++;
			emit(g, G_STAR, 0);
			type = REGEX;
		} else if (p[i] == '?') {
			i++;
			emit(g, G_ONE, 0);
			type = REGEX;
		} else if (p[i] == '\\') {
			if (++i >= len) {
				why = "it ends with an unescaped \\";
				break;
			}
			emit(g, G_LIT, next_cp(p, len, &i, &valid));
			type = REGEX;
		} else if (p[i] == '[') {
			why = compile_class(g, p, len, &i);
			type = REGEX;
		} else {
			if (p[i] == ']')
				type = REGEX;
			emit(g, G_LIT, next_cp(p, len, &i, &valid));
		}
	}
	if (why != NULL) {
		glob_free(g);
		*rc = -EINVAL;
		return why;
	}
	/* Docker's suffixMatch: HasSuffix(path, pattern[2:]) */
	if (type == SUFFIX && suffix_no_slash)
		g->t[0].kind = G_ANY;
	*rc = 0;
	return NULL;
}

/* ---- matching --------------------------------------------------------- */

/* States 0..n of a pattern of n tokens (n <= ENG_IGNORE_PATTERN_MAX). */
#define STATE_WORDS ((ENG_IGNORE_PATTERN_MAX + 1 + 63) / 64)

struct states {
	uint64_t at[STATE_WORDS]; /* before token i */
	uint64_t in[STATE_WORDS]; /* inside G_DIRS token i, after a character */
};

static void set_bit(uint64_t *v, size_t i)
{
	v[i / 64] |= (uint64_t)1 << (i % 64);
}

static bool get_bit(const uint64_t *v, size_t i)
{
	return (v[i / 64] >> (i % 64)) & 1;
}

/* The words of a states' bit sets that a pattern of g->n tokens uses. */
static size_t state_words(const struct glob *g)
{
	return g->n / 64 + 1;
}

static void clear_states(const struct glob *g, struct states *s)
{
	memset(s->at, 0, state_words(g) * sizeof(s->at[0]));
	memset(s->in, 0, state_words(g) * sizeof(s->in[0]));
}

/* Follows the moves that take no character: *, ** may match nothing. */
static void closure(const struct glob *g, struct states *s)
{
	for (size_t i = 0; i < g->n; i++) {
		enum gkind k = (enum gkind)g->t[i].kind;

		if (get_bit(s->at, i) && (k == G_STAR || k == G_ANY || k == G_DIRS))
			set_bit(s->at, i + 1);
	}
}

static bool in_class(const struct glob *g, const struct gtok *t, uint32_t c)
{
	bool found = false;

	for (uint32_t k = 0; k < t->r_n && !found; k++) {
		const struct grange *r = &g->ranges[t->r_off + k];

		found = r->lo <= c && c <= r->hi;
	}
	return found != t->negated;
}

/* One character c from cur into next. */
static void step(const struct glob *g, const struct states *cur, struct states *next, uint32_t c)
{
	size_t words = state_words(g);

	clear_states(g, next);
	for (size_t w = 0; w < words; w++) {
		uint64_t bits = cur->at[w], inside = cur->in[w];

		while (inside != 0) {
			size_t i = w * 64 + (size_t)__builtin_ctzll(inside);

			inside &= inside - 1;
			set_bit(next->in, i);
			if (c == '/')
				set_bit(next->at, i + 1);
		}
		while (bits != 0) {
			size_t i = w * 64 + (size_t)__builtin_ctzll(bits);
			const struct gtok *t;

			bits &= bits - 1;
			if (i >= g->n)
				continue;
			t = &g->t[i];
			switch (t->kind) {
			case G_LIT:
				if (c == t->c)
					set_bit(next->at, i + 1);
				break;
			case G_ONE:
				if (c != '/')
					set_bit(next->at, i + 1);
				break;
			case G_CLASS:
				if (c != '/' && in_class(g, t, c))
					set_bit(next->at, i + 1);
				break;
			case G_STAR:
				if (c != '/')
					set_bit(next->at, i);
				break;
			case G_ANY:
				set_bit(next->at, i);
				break;
			case G_DIRS:
				set_bit(next->in, i);
				if (c == '/')
					set_bit(next->at, i + 1);
				break;
			default:
				break;
			}
		}
	}
	closure(g, next);
}

static bool any_state(const struct glob *g, const struct states *s)
{
	for (size_t w = 0; w < state_words(g); w++)
		if (s->at[w] != 0 || s->in[w] != 0)
			return true;
	return false;
}

/* Whether the whole of s[0..n) matches g. */
static bool glob_match(const struct glob *g, const char *s, size_t n)
{
	struct states a, b, *cur = &a, *next = &b;
	size_t i = 0;

	clear_states(g, cur);
	set_bit(cur->at, 0);
	closure(g, cur);
	while (i < n) {
		struct states *tmp;
		bool valid;
		uint32_t c = next_cp(s, n, &i, &valid);

		step(g, cur, next, c);
		tmp = cur;
		cur = next;
		next = tmp;
		if (!any_state(g, cur))
			return false;
	}
	return get_bit(cur->at, g->n);
}

/* The pattern matches path or one of its parent directories. */
static bool match_or_parent(const struct pattern *p, const char *path, size_t len)
{
	if (glob_match(&p->whole, path, len))
		return true;
	for (size_t k = 1; k < len; k++)
		if (path[k] == '/' && glob_match(&p->whole, path, k))
			return true;
	return false;
}

bool eng_ignore_match(const struct eng_ignore *ig, const char *path)
{
	size_t len = strlen(path);
	bool matched = false;

	if (ig == NULL || len == 0 || strcmp(path, ".") == 0)
		return false;
	for (size_t i = 0; i < ig->n; i++) {
		const struct pattern *p = &ig->p[i];

		/* an exception only matters once something matched, a pattern
		 * only while nothing has */
		if (p->exception != matched)
			continue;
		if (match_or_parent(p, path, len))
			matched = !p->exception;
	}
	return matched;
}

bool eng_ignore_must_descend(const struct eng_ignore *ig, const char *dir)
{
	if (ig == NULL || !ig->exceptions)
		return false;
	for (size_t k = 0; k < ig->n; k++) {
		const struct pattern *p = &ig->p[k];
		const char *d = dir;

		if (!p->exception)
			continue;
		for (size_t i = 0; i < p->n_comps; i++) {
			const char *slash;
			size_t dlen;

			/* the exception goes deeper than dir, or any depth */
			if (*d == '\0' || p->comp_any_depth[i])
				return true;
			slash = strchr(d, '/');
			dlen = slash != NULL ? (size_t)(slash - d) : strlen(d);
			if (!glob_match(&p->comps[i], d, dlen))
				break;
			d += dlen;
			if (*d == '/')
				d++;
		}
	}
	return false;
}

/* ---- parsing ---------------------------------------------------------- */

/* Go's path.Clean (lexical): into out (room for len + 2 bytes); returns
 * the length written (without the NUL). */
static size_t clean(const char *s, size_t len, char *out)
{
	bool rooted = len > 0 && s[0] == '/';
	size_t r = 0, w = 0, dotdot = 0;

	if (rooted) {
		out[w++] = '/';
		r = 1;
		dotdot = 1;
	}
	while (r < len) {
		if (s[r] == '/') {
			r++;
		} else if (s[r] == '.' && (r + 1 == len || s[r + 1] == '/')) {
			r++;
		} else if (s[r] == '.' && s[r + 1] == '.' && (r + 2 == len || s[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			while (r < len && s[r] != '/')
				out[w++] = s[r++];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return w;
}

static void pattern_free(struct pattern *p)
{
	glob_free(&p->whole);
	for (size_t i = 0; i < p->n_comps; i++)
		glob_free(&p->comps[i]);
	free(p->comps);
	free(p->comp_any_depth);
	*p = (struct pattern){ 0 };
}

void eng_ignore_free(struct eng_ignore *ig)
{
	if (ig == NULL)
		return;
	for (size_t i = 0; i < ig->n; i++)
		pattern_free(&ig->p[i]);
	free(ig->p);
	free(ig);
}

size_t eng_ignore_count(const struct eng_ignore *ig)
{
	return ig != NULL ? ig->n : 0;
}

bool eng_ignore_has_exceptions(const struct eng_ignore *ig)
{
	return ig != NULL && ig->exceptions;
}

/* An exception's components (text, len), each compiled alone. */
static int split_components(struct pattern *p, const char *text, size_t len)
{
	size_t n = 1, start = 0;

	for (size_t i = 0; i < len; i++)
		n += text[i] == '/';
	p->comps = calloc(n, sizeof(*p->comps));
	p->comp_any_depth = calloc(n, sizeof(*p->comp_any_depth));
	if (p->comps == NULL || p->comp_any_depth == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t end = start, clen;
		int rc;

		while (end < len && text[end] != '/')
			end++;
		clen = end - start;
		p->n_comps++;
		p->comp_any_depth[i] = clen >= 2 && memmem(text + start, clen, "**", 2) != NULL;
		if (compile(text + start, clen, &p->comps[i], &rc) != NULL) {
			if (rc == -ENOMEM)
				return rc;
			p->comp_any_depth[i] = true; /* e.g. "[/]" split in two: stay safe */
		}
		start = end + 1;
	}
	return 0;
}

struct parser {
	struct eng_ignore *ig;
	unsigned line;
	struct isolab_error *err;
};

/* One line's pattern (s, len: trimmed, not empty, not a comment), with buf
 * room for its cleaned forms: body (len + 3 bytes), then full (len + 5). */
static int add_cleaned(struct parser *ps, const char *s, size_t len, char *buf)
{
	char *body = buf, *full = buf + len + 3;
	struct pattern p = { 0 };
	char shown[SHOW_MAX + 4];
	const char *text, *why;
	bool invert = s[0] == '!';
	size_t blen = 0, tlen;
	struct pattern *v;
	int rc;

	if (ps->ig->n >= ENG_IGNORE_PATTERNS_MAX)
		return isolab_error_set(ps->err, -EINVAL, ".dockerignore:%u: more than %d patterns",
					ps->line, ENG_IGNORE_PATTERNS_MAX);
	/* dockerignore.ReadAll: the '!' apart, cleaned, a leading '/' dropped */
	if (invert) {
		s++;
		len--;
		while (len > 0 && is_blank(*s)) {
			s++;
			len--;
		}
	}
	body[0] = '\0';
	if (len > 0)
		blen = clean(s, len, body);
	text = body;
	tlen = blen;
	if (tlen > 1 && body[0] == '/') {
		text++;
		tlen--;
	}
	/* patternmatcher.New: the whole cleaned again, then the '!' taken */
	full[0] = '!';
	memcpy(full + 1, text, tlen);
	full[tlen + 1] = '\0';
	blen = invert ? clean(full, tlen + 1, body) : clean(full + 1, tlen, body);
	if (body[0] == '!') {
		if (blen == 1)
			return isolab_error_set(ps->err, -EINVAL,
						".dockerignore:%u: illegal exclusion pattern: \"!\"",
						ps->line);
		p.exception = true;
	}
	text = body + p.exception;
	tlen = blen - p.exception;
	why = compile(text, tlen, &p.whole, &rc);
	if (why != NULL) {
		show(text, tlen, shown, sizeof(shown));
		if (rc == -ENOMEM)
			return isolab_error_errno(ps->err, rc, ".dockerignore:%u", ps->line);
		return isolab_error_set(ps->err, -EINVAL, ".dockerignore:%u: bad pattern `%s`: %s",
					ps->line, shown, why);
	}
	if (p.exception && split_components(&p, text, tlen) < 0) {
		pattern_free(&p);
		return isolab_error_errno(ps->err, -ENOMEM, ".dockerignore:%u", ps->line);
	}
	if (ps->ig->n == ps->ig->cap) {
		size_t cap = ps->ig->cap ? ps->ig->cap * 2 : 16;

		v = reallocarray(ps->ig->p, cap, sizeof(*v));
		if (v == NULL) {
			pattern_free(&p);
			return isolab_error_errno(ps->err, -ENOMEM, ".dockerignore:%u", ps->line);
		}
		ps->ig->p = v;
		ps->ig->cap = cap;
	}
	ps->ig->p[ps->ig->n++] = p;
	ps->ig->exceptions = ps->ig->exceptions || p.exception;
	return 0;
}

static int add_pattern(struct parser *ps, const char *s, size_t len)
{
	char *buf = calloc(1, 2 * len + 8);
	int rc;

	if (buf == NULL)
		return isolab_error_errno(ps->err, -ENOMEM, ".dockerignore:%u", ps->line);
	rc = add_cleaned(ps, s, len, buf);
	free(buf);
	return rc;
}

static int parse_text(struct parser *ps, const char *text, size_t len)
{
	size_t pos = 0;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *l = text + pos, *nl = memchr(l, '\n', len - pos);
		size_t ll = nl != NULL ? (size_t)(nl - l) : len - pos;
		int rc;

		pos += ll + (nl != NULL);
		ps->line++;
		if (ll > 0 && l[ll - 1] == '\r')
			ll--;
		if (memchr(l, '\0', ll) != NULL)
			return isolab_error_set(ps->err, -EINVAL, ".dockerignore:%u: NUL byte",
						ps->line);
		if (ll > 0 && l[0] == '#')
			continue;
		while (ll > 0 && is_blank(*l)) {
			l++;
			ll--;
		}
		while (ll > 0 && is_blank(l[ll - 1]))
			ll--;
		if (ll == 0)
			continue;
		if (ll > ENG_IGNORE_PATTERN_MAX)
			return isolab_error_set(ps->err, -EINVAL,
						".dockerignore:%u: pattern longer than %d bytes",
						ps->line, ENG_IGNORE_PATTERN_MAX);
		rc = add_pattern(ps, l, ll);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int eng_ignore_parse(const char *text, size_t len, struct eng_ignore **out,
		     struct isolab_error *err)
{
	struct parser ps = { .err = err };
	int rc;

	*out = NULL;
	if (len > ENG_IGNORE_FILE_MAX)
		return isolab_error_set(err, -EINVAL, ".dockerignore: larger than %d bytes",
					ENG_IGNORE_FILE_MAX);
	ps.ig = calloc(1, sizeof(*ps.ig));
	if (ps.ig == NULL)
		return isolab_error_errno(err, -ENOMEM, ".dockerignore");
	rc = parse_text(&ps, text, len);
	if (rc < 0) {
		eng_ignore_free(ps.ig);
		return rc;
	}
	*out = ps.ig;
	return 0;
}
