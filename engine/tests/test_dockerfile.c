/* test_dockerfile.c: unit tests for engine/lib/dockerfile.c (Dockerfile parsing, substitution). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/dockerfile.h"

/* Parses text, which must be accepted. */
static struct eng_dockerfile parse_ok(const char *text)
{
	struct isolab_error err = { 0 };
	struct eng_dockerfile df;

	if (eng_dockerfile_parse(text, strlen(text), NULL, &df, &err) != 0)
		fail_msg("refused: %s\n--- input:\n%s", err.msg, text);
	return df;
}

/* Parses text, which must be refused with exactly msg. */
static void parse_fails(const char *text, size_t len, const char *msg)
{
	struct isolab_error err = { 0 };
	struct eng_dockerfile df;

	assert_int_equal(eng_dockerfile_parse(text, len, NULL, &df, &err), -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	assert_string_equal(err.msg, msg);
	assert_int_equal(df.n, 0);
	assert_null(df.instrs);
}

#define FAILS(text, msg) parse_fails(text, strlen(text), msg)

/* The instruction's args, e.g. check_args(in, 2, "a", "b"). */
static void check_args(const struct eng_df_instr *in, size_t n, ...)
{
	va_list ap;

	assert_int_equal(in->n_args, n);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(in->args[i], va_arg(ap, const char *));
	va_end(ap);
}

static void check_kv(const struct eng_df_instr *in, size_t i, const char *key, const char *value)
{
	assert_true(i < in->n_kv);
	assert_string_equal(in->kv[i].key, key);
	if (value == NULL) {
		assert_false(in->kv[i].has_value);
		assert_string_equal(in->kv[i].value, "");
	} else {
		assert_true(in->kv[i].has_value);
		assert_string_equal(in->kv[i].value, value);
	}
}

static void from_forms(void **state)
{
	struct eng_dockerfile df = parse_ok("FROM alpine:3.19\n"
					    "from Golang:1.22 AS Build-Stage_1.x\n"
					    "FROM --platform=linux/amd64 scratch as final\n");

	assert_int_equal(df.n, 3);
	assert_int_equal(df.escape, '\\');
	assert_int_equal(df.instrs[0].kind, ENG_DF_FROM);
	check_args(&df.instrs[0], 1, "alpine:3.19");
	assert_null(df.instrs[0].as);
	assert_string_equal(df.instrs[0].text, "FROM alpine:3.19");
	check_args(&df.instrs[1], 1, "Golang:1.22");
	assert_string_equal(df.instrs[1].as, "build-stage_1.x");
	assert_string_equal(df.instrs[1].text, "FROM Golang:1.22 AS Build-Stage_1.x");
	assert_int_equal(df.instrs[1].line, 2);
	check_args(&df.instrs[2], 1, "scratch");
	assert_string_equal(df.instrs[2].as, "final");
	assert_int_equal(df.instrs[2].n_flags, 1);
	assert_string_equal(df.instrs[2].flags[0], "--platform=linux/amd64");
	assert_string_equal(eng_df_flag(&df.instrs[2], "platform"), "linux/amd64");
	assert_null(eng_df_flag(&df.instrs[2], "from"));
	eng_dockerfile_free(&df);
	assert_null(df.instrs);
	assert_int_equal(df.n, 0);
}

static void run_cmd_entrypoint_forms(void **state)
{
	struct eng_dockerfile df = parse_ok(
		"FROM a\n"
		"RUN apt-get update &&   apt-get install -y make\n"
		"RUN [\"/bin/echo\", \"a b\",\"c\"]\n"
		"RUN [ -f /etc/os-release ] && echo yes\n"  /* shell: `[` is test(1) */
		"RUN [ \"$A\" = \"b\" ] || true\n"          /* not JSON either */
		"CMD [\"nginx\", \"-g\", \"daemon off;\"]\n"
		"CMD []\n"
		"ENTRYPOINT exec top -b\n"
		"ENTRYPOINT [ \"/entry.sh\" ] \n"
		"run echo lower case\n");
	const struct eng_df_instr *in = df.instrs;

	assert_int_equal(df.n, 10);
	assert_int_equal(in[1].kind, ENG_DF_RUN);
	assert_false(in[1].json);
	check_args(&in[1], 1, "apt-get update &&   apt-get install -y make");
	assert_string_equal(in[1].text, "RUN apt-get update && apt-get install -y make");
	assert_true(in[2].json);
	check_args(&in[2], 3, "/bin/echo", "a b", "c");
	assert_string_equal(in[2].text, "RUN [\"/bin/echo\", \"a b\",\"c\"]");
	assert_false(in[3].json);
	check_args(&in[3], 1, "[ -f /etc/os-release ] && echo yes");
	assert_false(in[4].json);
	check_args(&in[4], 1, "[ \"$A\" = \"b\" ] || true");
	assert_int_equal(in[5].kind, ENG_DF_CMD);
	assert_true(in[5].json);
	check_args(&in[5], 3, "nginx", "-g", "daemon off;");
	assert_true(in[6].json);
	check_args(&in[6], 0);
	assert_int_equal(in[7].kind, ENG_DF_ENTRYPOINT);
	assert_false(in[7].json);
	check_args(&in[7], 1, "exec top -b");
	assert_true(in[8].json);
	check_args(&in[8], 1, "/entry.sh");
	assert_int_equal(in[9].kind, ENG_DF_RUN);
	assert_string_equal(in[9].text, "RUN echo lower case");
	eng_dockerfile_free(&df);
}

static void json_escapes(void **state)
{
	struct eng_dockerfile df = parse_ok(
		"FROM a\n"
		"CMD [\"a\\\"b\", \"c\\\\d\", \"\\u00e9\\t\\/\", \"\\ud83d\\ude00\", \"\\ud800x\", "
		"\"\xff\"]\n");
	const struct eng_df_instr *in = &df.instrs[1];

	/* Go's encoding/json: a pair is one character, a lone surrogate and
	 * an invalid byte become U+FFFD */
	check_args(in, 6, "a\"b", "c\\d", "\xc3\xa9\t/", "\xf0\x9f\x98\x80", "\xef\xbf\xbdx",
		   "\xef\xbf\xbd");
	eng_dockerfile_free(&df);
}

static void copy_add_forms(void **state)
{
	struct eng_dockerfile df = parse_ok(
		"FROM a\n"
		"COPY --from=build --chown=1000:1000 /out/app /usr/local/bin/\n"
		"COPY a.txt b.txt   c/ /dst/\n"
		"ADD [\"with space.tar.gz\", \"/opt/\"]\n"
		"COPY --chmod=\"0755\" run.sh /run.sh\n"
		"ADD --chown=app -- --odd-name /x\n");
	const struct eng_df_instr *in = df.instrs;

	assert_int_equal(in[1].kind, ENG_DF_COPY);
	check_args(&in[1], 2, "/out/app", "/usr/local/bin/");
	assert_int_equal(in[1].n_flags, 2);
	assert_string_equal(in[1].flags[0], "--from=build");
	assert_string_equal(in[1].flags[1], "--chown=1000:1000");
	assert_string_equal(eng_df_flag(&in[1], "from"), "build");
	assert_string_equal(eng_df_flag(&in[1], "chown"), "1000:1000");
	assert_null(eng_df_flag(&in[1], "chmod"));
	assert_string_equal(in[1].text, "COPY --from=build --chown=1000:1000 /out/app /usr/local/bin/");
	check_args(&in[2], 4, "a.txt", "b.txt", "c/", "/dst/");
	assert_false(in[2].json);
	assert_int_equal(in[3].kind, ENG_DF_ADD);
	assert_true(in[3].json);
	check_args(&in[3], 2, "with space.tar.gz", "/opt/");
	/* flag values lose their quotes, as BuildKit's extractBuilderFlags does */
	assert_string_equal(eng_df_flag(&in[4], "chmod"), "0755");
	/* a bare "--" ends the flags */
	assert_string_equal(eng_df_flag(&in[5], "chown"), "app");
	check_args(&in[5], 2, "--odd-name", "/x");
	eng_dockerfile_free(&df);
}

static void env_label_arg_forms(void **state)
{
	struct eng_dockerfile df = parse_ok(
		"ARG BASE=alpine:3.19 EXTRA\n"
		"FROM $BASE\n"
		"ENV A=1 B=\"two  words\" C=three\\ words D='$A' E=\n"
		"ENV PATH /usr/local/bin:$PATH\n"
		"ENV MSG   \"hello   world\"\n"
		"LABEL version=\"1.0\" description=\"A \\\"quoted\\\" label\" \"com.example.k\"=v\n"
		"LABEL maintainer someone@example.com\n"
		"ARG VERSION\n");
	const struct eng_df_instr *in = df.instrs;

	assert_int_equal(in[0].kind, ENG_DF_ARG);
	assert_int_equal(in[0].n_kv, 2);
	check_kv(&in[0], 0, "BASE", "alpine:3.19");
	check_kv(&in[0], 1, "EXTRA", NULL);
	assert_int_equal(in[2].kind, ENG_DF_ENV);
	assert_int_equal(in[2].n_kv, 5);
	check_kv(&in[2], 0, "A", "1");
	check_kv(&in[2], 1, "B", "\"two  words\""); /* as written: see expand */
	check_kv(&in[2], 2, "C", "three\\ words");
	check_kv(&in[2], 3, "D", "'$A'");
	check_kv(&in[2], 4, "E", "");
	assert_int_equal(in[2].n_args, 0);
	/* the old form: the value is the rest of the line */
	assert_int_equal(in[3].n_kv, 1);
	check_kv(&in[3], 0, "PATH", "/usr/local/bin:$PATH");
	check_kv(&in[4], 0, "MSG", "\"hello   world\"");
	assert_int_equal(in[5].kind, ENG_DF_LABEL);
	assert_int_equal(in[5].n_kv, 3);
	check_kv(&in[5], 0, "version", "\"1.0\"");
	check_kv(&in[5], 1, "description", "\"A \\\"quoted\\\" label\"");
	check_kv(&in[5], 2, "\"com.example.k\"", "v");
	check_kv(&in[6], 0, "maintainer", "someone@example.com");
	check_kv(&in[7], 0, "VERSION", NULL);
	eng_dockerfile_free(&df);
}

static void metadata_forms(void **state)
{
	struct eng_dockerfile df = parse_ok("FROM a\n"
					    "EXPOSE 80 443/tcp   53/udp\n"
					    "VOLUME [\"/data\", \"/logs\"]\n"
					    "VOLUME /a /b\n"
					    "WORKDIR /app  dir\n"
					    "USER app:app\n"
					    "STOPSIGNAL SIGTERM\n"
					    "SHELL [\"/bin/bash\", \"-eu\", \"-c\"]\n"
					    "MAINTAINER Jane Doe <jane@example.com>\n");
	const struct eng_df_instr *in = df.instrs;

	assert_int_equal(in[1].kind, ENG_DF_EXPOSE);
	check_args(&in[1], 3, "80", "443/tcp", "53/udp");
	assert_int_equal(in[2].kind, ENG_DF_VOLUME);
	assert_true(in[2].json);
	check_args(&in[2], 2, "/data", "/logs");
	check_args(&in[3], 2, "/a", "/b");
	assert_int_equal(in[4].kind, ENG_DF_WORKDIR);
	check_args(&in[4], 1, "/app  dir");
	assert_int_equal(in[5].kind, ENG_DF_USER);
	check_args(&in[5], 1, "app:app");
	assert_int_equal(in[6].kind, ENG_DF_STOPSIGNAL);
	check_args(&in[6], 1, "SIGTERM");
	assert_int_equal(in[7].kind, ENG_DF_SHELL);
	assert_true(in[7].json);
	check_args(&in[7], 3, "/bin/bash", "-eu", "-c");
	assert_int_equal(in[8].kind, ENG_DF_MAINTAINER);
	check_args(&in[8], 1, "Jane Doe <jane@example.com>");
	for (size_t i = 0; i < df.n; i++)
		assert_int_equal(in[i].line, i + 1);
	eng_dockerfile_free(&df);
}

static void continuations_and_comments(void **state)
{
	struct eng_dockerfile df = parse_ok(
		"# a comment before anything\n"
		"\n"
		"FROM alpine\n"
		"RUN apk add \\\n"
		"      make \\  \t\n"   /* blanks after the escape are allowed */
		"      gcc\n"
		"   # an indented comment line is a comment too\n"
		"RUN echo a \\\n"
		"# a comment inside the continuation is skipped\n"
		"    && echo b \\\n"
		"\n"                    /* so is a blank line (Docker warns) */
		"    && echo c\n"
		"RUN echo '#not a comment' # nor this\n"
		"ENV A=1 \\\n"
		"    B=2\n"
		"RUN echo end \\\n");    /* a continuation at the end of the file */
	const struct eng_df_instr *in = df.instrs;

	assert_int_equal(df.n, 6);
	assert_int_equal(in[0].line, 3);
	assert_int_equal(in[1].line, 4);
	check_args(&in[1], 1, "apk add       make       gcc");
	assert_string_equal(in[1].text, "RUN apk add make gcc");
	assert_int_equal(in[2].line, 8);
	check_args(&in[2], 1, "echo a     && echo b     && echo c");
	assert_string_equal(in[2].text, "RUN echo a && echo b && echo c");
	assert_int_equal(in[3].line, 13);
	check_args(&in[3], 1, "echo '#not a comment' # nor this");
	assert_int_equal(in[4].line, 14);
	assert_int_equal(in[4].n_kv, 2);
	check_kv(&in[4], 1, "B", "2");
	assert_int_equal(in[5].line, 16);
	check_args(&in[5], 1, "echo end");
	eng_dockerfile_free(&df);
}

static void text_keeps_quoted_blanks(void **state)
{
	struct eng_dockerfile df = parse_ok("FROM a\n"
					    "RUN   echo \"a   b\"   'c   d'   e\\  f\t\tg  \n");

	assert_string_equal(df.instrs[1].text, "RUN echo \"a   b\" 'c   d' e\\  f g");
	eng_dockerfile_free(&df);
}

static void escape_directive(void **state)
{
	/* a Windows-style file: '\' is a path character, '`' continues */
	struct eng_dockerfile df = parse_ok("# syntax=docker/dockerfile:1\n"
					    "#  ESCAPE = `  \n"
					    "\n"
					    "FROM mcr.microsoft.com/windows/servercore\n"
					    "COPY testfile.txt c:\\\n"
					    "RUN dir c:\\ `\n"
					    "    && echo done\n"
					    "ENV P=C:\\Program` Files\\app\n");
	const struct eng_df_instr *in = df.instrs;

	assert_int_equal(df.escape, '`');
	assert_int_equal(df.n, 4);
	check_args(&in[1], 2, "testfile.txt", "c:\\");
	check_args(&in[2], 1, "dir c:\\     && echo done");
	assert_int_equal(in[2].line, 6);
	check_kv(&in[3], 0, "P", "C:\\Program` Files\\app");
	eng_dockerfile_free(&df);

	/* after a comment, a blank line or an instruction, `# escape=` is a comment */
	df = parse_ok("# just a comment\n# escape=`\nFROM a\nRUN a `\n");
	assert_int_equal(df.escape, '\\');
	assert_int_equal(df.n, 2);
	check_args(&df.instrs[1], 1, "a `");
	eng_dockerfile_free(&df);
	df = parse_ok("\n# escape=`\nFROM a\n");
	assert_int_equal(df.escape, '\\');
	eng_dockerfile_free(&df);
	/* an unknown directive ends the directives */
	df = parse_ok("# foo=bar\n# escape=`\nFROM a\n");
	assert_int_equal(df.escape, '\\');
	eng_dockerfile_free(&df);
	df = parse_ok("# escape=\\\nFROM a\n");
	assert_int_equal(df.escape, '\\');
	eng_dockerfile_free(&df);
}

static void bom_and_crlf(void **state)
{
	struct eng_dockerfile df = parse_ok("\xef\xbb\xbf# escape=`\r\nFROM a\r\nRUN echo hi `\r\n"
					    "  there\r\n");

	assert_int_equal(df.escape, '`');
	assert_int_equal(df.n, 2);
	check_args(&df.instrs[1], 1, "echo hi   there");
	assert_int_equal(df.instrs[1].line, 3);
	eng_dockerfile_free(&df);
}

static void errors_name_file_and_line(void **state)
{
	FAILS("", "Dockerfile: no instructions");
	FAILS("# only a comment\n\n   \n", "Dockerfile: no instructions");
	FAILS("FROMM alpine\n", "Dockerfile:1: unknown instruction: FROMM");
	FAILS("FROM a\nRUN x\n\nfrobnicate y \\\n z\n",
	      "Dockerfile:4: unknown instruction: FROBNICATE");
	FAILS("FROM\n", "Dockerfile:1: FROM requires an image");
	FAILS("FROM a b\n",
	      "Dockerfile:1: FROM requires either one or three arguments (FROM IMAGE [AS NAME])");
	FAILS("FROM a AS b c\n",
	      "Dockerfile:1: FROM requires either one or three arguments (FROM IMAGE [AS NAME])");
	FAILS("FROM a AS 1st\n",
	      "Dockerfile:1: FROM: invalid stage name `1st`: it must start with a letter and hold "
	      "only letters, digits, '-', '_' and '.'");
	FAILS("FROM a\nRUN [\"echo\", \"hi\"\n", "Dockerfile:2: RUN: unterminated JSON array");
	FAILS("FROM a\nCMD [\"echo\", \"hi\n", "Dockerfile:2: CMD: unterminated JSON array");
	FAILS("FROM a\nCMD [\"a\", 1]\n",
	      "Dockerfile:2: CMD: a JSON array must hold strings only");
	FAILS("FROM a\nENTRYPOINT [\"a\", {\"k\": [true, null]}]\n",
	      "Dockerfile:2: ENTRYPOINT: a JSON array must hold strings only");
	FAILS("FROM a\nCMD [\"a\\u0000b\"]\n",
	      "Dockerfile:2: CMD: a JSON string holds a NUL character");
	FAILS("RUN make\nFROM a\n",
	      "Dockerfile:1: RUN before the first FROM (only ARG may come before it)");
	FAILS("ARG A=1\nENV B=2\nFROM a\n",
	      "Dockerfile:2: ENV before the first FROM (only ARG may come before it)");
	FAILS("ARG A=1\n", "Dockerfile: no FROM instruction");
	FAILS("FROM a\nHEALTHCHECK CMD true\n", "Dockerfile:2: HEALTHCHECK is not supported");
	FAILS("FROM a\nonbuild RUN x\n", "Dockerfile:2: ONBUILD is not supported");
	FAILS("FROM a\nCOPY x\n",
	      "Dockerfile:2: COPY requires at least two arguments (sources and a destination)");
	FAILS("FROM a\nADD [\"x\"]\n",
	      "Dockerfile:2: ADD requires at least two arguments (sources and a destination)");
	FAILS("FROM a\nCOPY --link a b\n", "Dockerfile:2: COPY: unknown flag: --link");
	FAILS("FROM a\nADD --from=x a b\n", "Dockerfile:2: ADD: unknown flag: --from");
	FAILS("FROM a\nRUN --mount=type=cache,target=/x make\n",
	      "Dockerfile:2: RUN: unknown flag: --mount");
	FAILS("FROM a\nCOPY --from a b\n",
	      "Dockerfile:2: COPY: flag --from needs a value (--from=...)");
	FAILS("FROM a\nCOPY --chown= a b\n",
	      "Dockerfile:2: COPY: flag --chown needs a value (--chown=...)");
	FAILS("FROM a\nCOPY --from=x --from=y a b\n", "Dockerfile:2: COPY: duplicate flag: --from");
	FAILS("FROM --platform=x --platform=y a\n", "Dockerfile:1: FROM: duplicate flag: --platform");
	FAILS("FROM a\nENV A\n",
	      "Dockerfile:2: ENV must have two arguments (ENV NAME VALUE or ENV NAME=VALUE)");
	FAILS("FROM a\nENV\n", "Dockerfile:2: ENV requires at least one argument");
	FAILS("FROM a\nENV A=1 B\n", "Dockerfile:2: ENV: `B` is not of the form NAME=VALUE");
	FAILS("FROM a\nENV =x\n", "Dockerfile:2: ENV names can not be blank");
	FAILS("FROM a\nLABEL =x\n", "Dockerfile:2: LABEL names can not be blank");
	FAILS("FROM a\nARG =x\n", "Dockerfile:2: ARG names can not be blank");
	FAILS("FROM a\nARG\n", "Dockerfile:2: ARG requires at least one argument");
	FAILS("# escape=x\nFROM a\n", "Dockerfile:1: invalid escape token 'x' does not match ` or \\");
	FAILS("# escape=`\n# Escape=\\\nFROM a\n",
	      "Dockerfile:2: only one escape parser directive can be used");
	FAILS("FROM a\nSHELL /bin/sh -c\n",
	      "Dockerfile:2: SHELL requires the arguments to be in JSON form");
	FAILS("FROM a\nSHELL []\n", "Dockerfile:2: SHELL requires at least one argument");
	FAILS("FROM a\nWORKDIR\n", "Dockerfile:2: WORKDIR requires exactly one argument");
	FAILS("FROM a\nUSER   \n", "Dockerfile:2: USER requires exactly one argument");
	FAILS("FROM a\nRUN\n", "Dockerfile:2: RUN requires at least one argument");
	FAILS("FROM a\nRUN []\n", "Dockerfile:2: RUN requires at least one argument");
	FAILS("FROM a\nCMD\n", "Dockerfile:2: CMD requires at least one argument");
	FAILS("FROM a\nEXPOSE\n", "Dockerfile:2: EXPOSE requires at least one argument");
	FAILS("FROM a\nVOLUME\n", "Dockerfile:2: VOLUME requires at least one argument");
	FAILS("FROM a\nVOLUME [\"/a\", \"\"]\n",
	      "Dockerfile:2: VOLUME specified can not be an empty string");
	FAILS("FROM a\nRUN <<EOF\napt-get update\nEOF\n",
	      "Dockerfile:2: RUN: here-documents (<<EOF) are not supported");
	FAILS("FROM a\nCOPY <<-\"EOF\" /x\nhi\nEOF\n",
	      "Dockerfile:2: COPY: here-documents (<<EOF) are not supported");
	FAILS("FROM a\n\\\n# comment\n\n",
	      "Dockerfile:2: empty instruction (an escape at the end of a line, then nothing)");
	/* unprintable names are shown with '?' */
	FAILS("FROM a\nR\x01N x\n", "Dockerfile:2: unknown instruction: R?N");
	parse_fails("FROM a\n\nRUN a\0b\n", 16, "Dockerfile:3: NUL byte in the file");
}

static void error_names_given_file(void **state)
{
	struct isolab_error err = { 0 };
	struct eng_dockerfile df;
	const char *text = "FROM a\nWORKDIR\n";

	assert_int_equal(eng_dockerfile_parse(text, strlen(text), "ctx/app.Dockerfile", &df, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "ctx/app.Dockerfile:2: WORKDIR requires exactly one argument");
}

static void accepted_near_misses(void **state)
{
	/* a here-string (<<<) is not a here-document; quoted <<EOF is a word */
	struct eng_dockerfile df = parse_ok("FROM a\nRUN cat <<<\"x\" && echo \"<<EOF\"\n"
					    "RUN [\"a\"] trailing\n");

	check_args(&df.instrs[1], 1, "cat <<<\"x\" && echo \"<<EOF\"");
	/* JSON followed by anything is the shell form, as in Docker */
	assert_false(df.instrs[2].json);
	check_args(&df.instrs[2], 1, "[\"a\"] trailing");
	eng_dockerfile_free(&df);
}

static void bounds(void **state)
{
	size_t big = ENG_DF_FILE_MAX + 1;
	char *text = malloc(big + 1);
	size_t o = 0;

	assert_non_null(text);
	memset(text, ' ', big);
	parse_fails(text, big, "Dockerfile: larger than 1048576 bytes");
	/* one line longer than bufio.Scanner takes */
	memcpy(text, "FROM a\nRUN ", 11);
	memset(text + 11, 'x', ENG_DF_LINE_MAX);
	text[11 + ENG_DF_LINE_MAX] = '\n';
	parse_fails(text, 12 + ENG_DF_LINE_MAX, "Dockerfile:2: line longer than 65535 bytes");
	/* one instruction too many */
	for (int i = 0; i <= ENG_DF_INSTR_MAX; i++) {
		memcpy(text + o, "FROM a\n", 7);
		o += 7;
	}
	parse_fails(text, o, "Dockerfile:10001: more than 10000 instructions");
	/* the most instructions */
	{
		struct isolab_error err = { 0 };
		struct eng_dockerfile df;

		assert_int_equal(eng_dockerfile_parse(text, o - 7, NULL, &df, &err), 0);
		assert_int_equal(df.n, ENG_DF_INSTR_MAX);
		eng_dockerfile_free(&df);
	}
	/* too many words */
	o = 0;
	memcpy(text, "FROM a\nEXPOSE", 13);
	o = 13;
	for (int i = 0; i <= ENG_DF_ARGS_MAX; i++) {
		memcpy(text + o, " 1", 2);
		o += 2;
	}
	parse_fails(text, o, "Dockerfile:2: EXPOSE: more than 4096 arguments");
	/* the most key=value pairs, then one more */
	memcpy(text, "FROM a\nENV", 10);
	o = 10;
	for (int i = 0; i < ENG_DF_ARGS_MAX; i++)
		o += (size_t)sprintf(text + o, " K%d=%d", i, i);
	text[o] = '\0';
	{
		struct eng_dockerfile df = parse_ok(text);

		assert_int_equal(df.instrs[1].n_kv, ENG_DF_ARGS_MAX);
		check_kv(&df.instrs[1], 4095, "K4095", "4095");
		eng_dockerfile_free(&df);
	}
	memcpy(text + o, " X=1", 4);
	parse_fails(text, o + 4, "Dockerfile:2: ENV: more than 4096 arguments");
	/* deep JSON nesting is not JSON: the shell form */
	o = 0;
	memcpy(text, "FROM a\nCMD [", 12);
	o = 12;
	for (int i = 0; i < 1000; i++)
		text[o++] = '[';
	for (int i = 0; i < 1000; i++)
		text[o++] = ']';
	text[o++] = ']';
	text[o] = '\0';
	{
		struct eng_dockerfile df = parse_ok(text);

		assert_false(df.instrs[1].json);
		eng_dockerfile_free(&df);
	}
	free(text);
}

/* ---- substitution ----------------------------------------------------- */

static char *const vars[] = {
	"A=1", "EMPTY=", "BARE", "B=bee", "SPACED=two  words", "A=one", "PORTS=80 443/tcp",
};
#define N_VARS (sizeof(vars) / sizeof(vars[0]))

static void expands_to(const char *word, char escape, const char *want)
{
	struct isolab_error err = { 0 };
	char *out = NULL;

	if (eng_df_expand(word, vars, N_VARS, escape, &out, &err) != 0)
		fail_msg("`%s` refused: %s", word, err.msg);
	assert_string_equal(out, want);
	free(out);
}

static void expand_fails(const char *word, const char *msg)
{
	struct isolab_error err = { 0 };
	char *out = (char *)1;

	assert_int_equal(eng_df_expand(word, vars, N_VARS, '\\', &out, &err), -EINVAL);
	assert_null(out);
	assert_string_equal(err.msg, msg);
}

static void expand_variables(void **state)
{
	expands_to("$A", '\\', "one"); /* the last A wins */
	expands_to("${A}x", '\\', "onex");
	expands_to("$Ax", '\\', "");   /* the name is Ax, unset */
	expands_to("${UNSET}", '\\', "");
	expands_to("$B-$A", '\\', "bee-one");
	expands_to("/usr/bin:$PATH", '\\', "/usr/bin:");
	expands_to("$", '\\', "$");
	expands_to("a$ b", '\\', "a$ b");
	expands_to("$1x", '\\', "x");  /* a positional parameter, unset */
	expands_to("${UNSET:-def}", '\\', "def");
	expands_to("${EMPTY:-def}", '\\', "def");
	expands_to("${EMPTY-def}", '\\', "");
	expands_to("${BARE-def}", '\\', ""); /* "BARE" alone sets it, empty */
	expands_to("${B:-def}", '\\', "bee");
	expands_to("${B:+alt}", '\\', "alt");
	expands_to("${EMPTY:+alt}", '\\', "");
	expands_to("${EMPTY+alt}", '\\', "alt");
	expands_to("${UNSET+alt}", '\\', "");
	expands_to("${B:?must be set}", '\\', "bee");
	/* nested defaults, as BuildKit's lexer reads them */
	expands_to("${UNSET:-${B}}", '\\', "bee");
	expands_to("${UNSET:-${NONE:-x}-y}", '\\', "x-y");
	expands_to("${B:+[${A}]}", '\\', "[one]");
	expands_to("${UNSET:-\"a}b\"}", '\\', "a}b");
}

static void expand_quotes_and_escapes(void **state)
{
	expands_to("'$A'", '\\', "$A");
	expands_to("\"$A\"", '\\', "one");
	expands_to("\"two  words\"", '\\', "two  words");
	expands_to("three\\ words", '\\', "three words");
	expands_to("\\$A", '\\', "$A");
	expands_to("\"\\$A \\\" \\\\ \\n\"", '\\', "$A \" \\ \\n");
	expands_to("'a\\b'", '\\', "a\\b");
	expands_to("a\\", '\\', "a"); /* an escape at the end is dropped */
	expands_to("\"A \\\"quoted\\\" label\"", '\\', "A \"quoted\" label");
	/* escape=`: a backslash is a character, a backquote escapes */
	expands_to("C:\\Program` Files\\$A", '`', "C:\\Program Files\\one");
	expands_to("`$A", '`', "$A");
	expands_to("\"`\"x`\"\"", '`', "\"x\"");
}

static void expand_errors(void **state)
{
	expand_fails("${UNSET:?must be set}", "expanding `${UNSET:?must be set}`: UNSET: must be set");
	expand_fails("${UNSET?}", "expanding `${UNSET?}`: UNSET: is not allowed to be unset");
	expand_fails("${EMPTY:?}", "expanding `${EMPTY:?}`: EMPTY: is not allowed to be empty");
	expand_fails("${A", "expanding `${A`: missing '}'");
	expand_fails("${A:-x", "expanding `${A:-x`: missing '}'");
	expand_fails("${", "expanding `${`: missing '}'");
	expand_fails("${}", "expanding `${}`: bad substitution");
	expand_fails("${:x}", "expanding `${:x}`: bad substitution");
	expand_fails("${A x}", "expanding `${A x}`: unsupported modifier ( ) in substitution");
	expand_fails("${A:x}", "expanding `${A:x}`: unsupported modifier (:x) in substitution");
	expand_fails("${A#pre}", "expanding `${A#pre}`: ${NAME#...} is not supported");
	expand_fails("${A/a/b}", "expanding `${A/a/b}`: ${NAME/...} is not supported");
	expand_fails("'abc", "expanding `'abc`: unexpected end of statement while looking for "
			     "matching single-quote");
	expand_fails("\"abc", "expanding `\"abc`: unexpected end of statement while looking for "
			      "matching double-quote");
	expand_fails("\"abc\\", "expanding `\"abc\\`: unexpected end of statement while looking "
				"for matching double-quote");
}

/* "${U:-" n times, x, "}" n times */
static void nested(char *buf, int n)
{
	size_t o = 0;

	for (int i = 0; i < n; i++)
		o += (size_t)sprintf(buf + o, "${U:-");
	buf[o++] = 'x';
	for (int i = 0; i < n; i++)
		buf[o++] = '}';
	buf[o] = '\0';
}

static void expand_bounds(void **state)
{
	struct isolab_error err = { 0 };
	char word[40 * 6 + 2], *out = NULL, *big = malloc(600 * 1024 + 3);
	char *bigvars[1] = { big };

	/* one more than ENG_DF_EXPAND_DEPTH nested defaults */
	nested(word, ENG_DF_EXPAND_DEPTH + 1);
	assert_int_equal(eng_df_expand(word, vars, N_VARS, '\\', &out, &err), -EINVAL);
	assert_non_null(strstr(err.msg, ": substitutions nested more than 32 deep"));
	assert_null(out);
	nested(word, ENG_DF_EXPAND_DEPTH);
	assert_int_equal(eng_df_expand(word, vars, N_VARS, '\\', &out, &err), 0);
	assert_string_equal(out, "x");
	free(out);
	/* a result over ENG_DF_EXPAND_MAX */
	assert_non_null(big);
	memcpy(big, "V=", 2);
	memset(big + 2, 'v', 600 * 1024);
	big[2 + 600 * 1024] = '\0';
	assert_int_equal(eng_df_expand("$V$V", bigvars, 1, '\\', &out, &err), -EINVAL);
	assert_string_equal(err.msg, "expanding `$V$V`: more than 1048576 bytes (or 4096 words)");
	assert_int_equal(eng_df_expand("$V", bigvars, 1, '\\', &out, &err), 0);
	assert_int_equal(strlen(out), 600 * 1024);
	free(out);
	free(big);
	assert_int_equal(eng_df_expand("x", vars, N_VARS, 'x', &out, &err), -EINVAL);
	assert_string_equal(err.msg, "expanding `x`: escape character is not \\ or `");
}

static void expand_words(void **state)
{
	struct isolab_error err = { 0 };
	char **w;
	size_t n;

	assert_int_equal(eng_df_expand_words("$PORTS 8080 \"a b\" ''x c\\ d", vars, N_VARS, '\\',
					     &w, &n, &err), 0);
	/* blanks from a variable split, quoted or escaped ones do not */
	assert_int_equal(n, 6);
	assert_string_equal(w[0], "80");
	assert_string_equal(w[1], "443/tcp");
	assert_string_equal(w[2], "8080");
	assert_string_equal(w[3], "a b");
	assert_string_equal(w[4], "x");
	assert_string_equal(w[5], "c d");
	for (size_t i = 0; i < n; i++)
		free(w[i]);
	free(w);
	assert_int_equal(eng_df_expand_words("  ", vars, N_VARS, '\\', &w, &n, &err), 0);
	assert_int_equal(n, 0);
	free(w);
}

static void instr_expand(void **state)
{
	struct eng_dockerfile df = parse_ok(
		"ARG BASE=alpine\n"
		"FROM --platform=$PLAT ${BASE}:3.19 AS b\n"
		"COPY --from=$STAGE --chown=${U}:${U} \"$SRC\" /dst/$A/\n"
		"ENV B=\"two  $A\" C=three\\ words D='$A' ${B}x=y\n"
		"EXPOSE $PORTS 53/udp\n"
		"WORKDIR \"/srv/$B dir\"\n"
		"RUN echo $HOME \"$A\"\n"
		"CMD [\"echo\", \"$A\"]\n"
		"ARG V=${A}-${UNSET:-d}\n");
	char *const v[] = { "PLAT=linux/amd64", "STAGE=build", "U=1000", "SRC=a.txt", "A=x",
			    "B=bee", "PORTS=80 443", "HOME=/root", "BASE=alpine" };
	struct isolab_error err = { 0 };
	struct eng_df_instr out;
	const struct eng_df_instr *in = df.instrs;

	assert_int_equal(eng_df_instr_expand(&in[1], v, 9, df.escape, &out, &err), 0);
	check_args(&out, 1, "alpine:3.19");
	assert_string_equal(out.as, "b");
	assert_string_equal(eng_df_flag(&out, "platform"), "linux/amd64");
	assert_string_equal(out.text, in[1].text);
	assert_int_equal(out.line, 2);
	eng_df_instr_free(&out);

	assert_int_equal(eng_df_instr_expand(&in[2], v, 9, df.escape, &out, &err), 0);
	check_args(&out, 2, "a.txt", "/dst/x/");
	assert_string_equal(eng_df_flag(&out, "from"), "build");
	assert_string_equal(eng_df_flag(&out, "chown"), "1000:1000");
	eng_df_instr_free(&out);

	assert_int_equal(eng_df_instr_expand(&in[3], v, 9, df.escape, &out, &err), 0);
	assert_int_equal(out.n_kv, 4);
	check_kv(&out, 0, "B", "two  x");
	check_kv(&out, 1, "C", "three words");
	check_kv(&out, 2, "D", "$A");
	check_kv(&out, 3, "beex", "y");
	eng_df_instr_free(&out);

	assert_int_equal(eng_df_instr_expand(&in[4], v, 9, df.escape, &out, &err), 0);
	check_args(&out, 3, "80", "443", "53/udp");
	eng_df_instr_free(&out);

	assert_int_equal(eng_df_instr_expand(&in[5], v, 9, df.escape, &out, &err), 0);
	check_args(&out, 1, "/srv/bee dir");
	eng_df_instr_free(&out);

	/* RUN and CMD are left to the shell */
	assert_int_equal(eng_df_instr_expand(&in[6], v, 9, df.escape, &out, &err), 0);
	check_args(&out, 1, "echo $HOME \"$A\"");
	eng_df_instr_free(&out);
	assert_int_equal(eng_df_instr_expand(&in[7], v, 9, df.escape, &out, &err), 0);
	assert_true(out.json);
	check_args(&out, 2, "echo", "$A");
	eng_df_instr_free(&out);

	assert_int_equal(eng_df_instr_expand(&in[8], v, 9, df.escape, &out, &err), 0);
	check_kv(&out, 0, "V", "x-d");
	eng_df_instr_free(&out);
	eng_dockerfile_free(&df);

	df = parse_ok("FROM a\nCOPY ${X a /b\n");
	assert_int_equal(eng_df_instr_expand(&df.instrs[1], v, 9, df.escape, &out, &err), -EINVAL);
	assert_string_equal(err.msg, "COPY: expanding `${X`: missing '}'");
	assert_int_equal(out.n_args, 0);
	assert_null(out.text);
	eng_dockerfile_free(&df);
}

static void kind_names(void **state)
{
	assert_string_equal(eng_df_kind_name(ENG_DF_FROM), "FROM");
	assert_string_equal(eng_df_kind_name(ENG_DF_ENTRYPOINT), "ENTRYPOINT");
	assert_string_equal(eng_df_kind_name(ENG_DF_MAINTAINER), "MAINTAINER");
	assert_string_equal(eng_df_kind_name((enum eng_df_kind)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(from_forms),
		cmocka_unit_test(run_cmd_entrypoint_forms),
		cmocka_unit_test(json_escapes),
		cmocka_unit_test(copy_add_forms),
		cmocka_unit_test(env_label_arg_forms),
		cmocka_unit_test(metadata_forms),
		cmocka_unit_test(continuations_and_comments),
		cmocka_unit_test(text_keeps_quoted_blanks),
		cmocka_unit_test(escape_directive),
		cmocka_unit_test(bom_and_crlf),
		cmocka_unit_test(errors_name_file_and_line),
		cmocka_unit_test(error_names_given_file),
		cmocka_unit_test(accepted_near_misses),
		cmocka_unit_test(bounds),
		cmocka_unit_test(expand_variables),
		cmocka_unit_test(expand_quotes_and_escapes),
		cmocka_unit_test(expand_errors),
		cmocka_unit_test(expand_bounds),
		cmocka_unit_test(expand_words),
		cmocka_unit_test(instr_expand),
		cmocka_unit_test(kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
