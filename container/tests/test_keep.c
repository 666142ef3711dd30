/* test_keep.c: unit tests for what --keep-layer copies (keep_policy.c) and
 * for the /proc/self/fd name parsing of the fd sweep (fds.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "container/fds.h"
#include "container/keep_policy.h"

static void test_modes(void **state)
{
	mode_t mode;
	bool stripped;

	(void)state;
	/* setuid root binary: copied, bit gone, counted */
	assert_int_equal(ctr_keep_decide(S_IFREG | 04755, 0, false, &mode, &stripped),
			 CTR_KEEP_FILE);
	assert_int_equal(mode, 0755);
	assert_true(stripped);
	assert_int_equal(ctr_keep_decide(S_IFREG | 06711, 0, false, &mode, &stripped),
			 CTR_KEEP_FILE);
	assert_int_equal(mode, 0711);
	assert_true(stripped);
	/* plain file, sticky directory: unchanged */
	assert_int_equal(ctr_keep_decide(S_IFREG | 0644, 0, false, &mode, &stripped),
			 CTR_KEEP_FILE);
	assert_int_equal(mode, 0644);
	assert_false(stripped);
	assert_int_equal(ctr_keep_decide(S_IFDIR | 01777, 0, false, &mode, &stripped),
			 CTR_KEEP_DIR);
	assert_int_equal(mode, 01777);
	assert_false(stripped);
	/* setgid directory: stripped too */
	assert_int_equal(ctr_keep_decide(S_IFDIR | 02775, 0, false, &mode, &stripped),
			 CTR_KEEP_DIR);
	assert_int_equal(mode, 0775);
	assert_true(stripped);
	assert_int_equal(ctr_keep_decide(S_IFLNK | 0777, 0, false, &mode, &stripped),
			 CTR_KEEP_SYMLINK);
	assert_false(stripped);
}

static void test_nodes(void **state)
{
	mode_t mode;
	bool stripped;

	(void)state;
	/* an overlayfs whiteout is part of the layer */
	assert_int_equal(ctr_keep_decide(S_IFCHR | 0, makedev(0, 0), false, &mode, &stripped),
			 CTR_KEEP_NODE);
	/* world-writable /dev/mem, a disk: skipped unless asked for */
	assert_int_equal(ctr_keep_decide(S_IFCHR | 0666, makedev(1, 1), false, &mode, &stripped),
			 CTR_KEEP_SKIP_DEVICE);
	assert_int_equal(ctr_keep_decide(S_IFBLK | 0666, makedev(8, 0), false, &mode, &stripped),
			 CTR_KEEP_SKIP_DEVICE);
	assert_int_equal(ctr_keep_decide(S_IFCHR | 0666, makedev(1, 1), true, &mode, &stripped),
			 CTR_KEEP_NODE);
	assert_int_equal(ctr_keep_decide(S_IFBLK | 0660, makedev(8, 0), true, &mode, &stripped),
			 CTR_KEEP_NODE);
	assert_int_equal(mode, 0660);
	assert_int_equal(ctr_keep_decide(S_IFIFO | 0644, 0, true, &mode, &stripped),
			 CTR_KEEP_SKIP_SPECIAL);
	assert_int_equal(ctr_keep_decide(S_IFSOCK | 0777, 0, true, &mode, &stripped),
			 CTR_KEEP_SKIP_SPECIAL);
}

static void test_xattrs(void **state)
{
	(void)state;
	assert_true(ctr_keep_xattr("trusted.overlay.opaque"));
	assert_true(ctr_keep_xattr("trusted.overlay.redirect"));
	assert_true(ctr_keep_xattr("user.overlay.opaque"));
	assert_false(ctr_keep_xattr("security.capability"));
	assert_false(ctr_keep_xattr("trusted.overlayx"));
	assert_false(ctr_keep_xattr("user.evil"));
	assert_false(ctr_keep_xattr("security.selinux"));
}

static void test_fd_names(void **state)
{
	int fd = -1;

	(void)state;
	assert_true(ctr_fd_from_name("0", &fd));
	assert_int_equal(fd, 0);
	assert_true(ctr_fd_from_name("1023", &fd));
	assert_int_equal(fd, 1023);
	assert_true(ctr_fd_from_name("2147483647", &fd));
	assert_int_equal(fd, 2147483647);
	assert_false(ctr_fd_from_name("2147483648", &fd));
	assert_false(ctr_fd_from_name("99999999999999999999", &fd));
	assert_false(ctr_fd_from_name(".", &fd));
	assert_false(ctr_fd_from_name("..", &fd));
	assert_false(ctr_fd_from_name("", &fd));
	assert_false(ctr_fd_from_name("7x", &fd));
	assert_false(ctr_fd_from_name("-1", &fd));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_xattrs),
		cmocka_unit_test(test_fd_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
