/* Bounded buffers: growth, the maximum, and "no maximum" (max 0). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sunset/util.h"

static void unbounded_grows(void **state)
{
	(void)state;
	sunset_buf b;
	sunset_buf_init(&b, 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(sunset_buf_printf(&b, "%04d,", i), 0);
	assert_int_equal(b.len, 5000);
	assert_memory_equal(b.data + 4995, "0999,", 5);
	assert_int_equal(b.data[b.len], '\0');
	sunset_buf_release(&b);
}

static void bounded_refuses(void **state)
{
	(void)state;
	sunset_buf b;
	sunset_buf_init(&b, 8);
	assert_int_equal(sunset_buf_puts(&b, "12345678"), 0);
	assert_int_equal(sunset_buf_puts(&b, "9"), -1);
	assert_int_equal(sunset_buf_printf(&b, "%d", 9), -1);
	assert_string_equal(b.data, "12345678");
	sunset_buf_reset(&b);
	assert_int_equal(sunset_buf_append(&b, "abc", 3), 0);
	assert_string_equal(b.data, "abc");
	sunset_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unbounded_grows),
		cmocka_unit_test(bounded_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
