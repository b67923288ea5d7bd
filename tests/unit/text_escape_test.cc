// Untrusted text on its way to a terminal or into our own files.
#include "stages/core/text_escape.h"

#include <gtest/gtest.h>

namespace logstream {
namespace {

TEST(EscapeForTerminal, KeepsPrintableTextAndValidUtf8) {
  EXPECT_EQ(escape_for_terminal("GET /index.html 200"), "GET /index.html 200");
  EXPECT_EQ(escape_for_terminal("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST(EscapeForTerminal, EscapesControlsEscapeSequencesAndInvalidBytes) {
  EXPECT_EQ(escape_for_terminal("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(escape_for_terminal(std::string("n\0l\n\r\t\x7f", 7)), "n\\x00l\\x0a\\x0d\\x09\\x7f");
  EXPECT_EQ(escape_for_terminal("\xc2\x9b"
                                "31m"),
            "\\xc2\\x9b31m");                                         // C1 CSI
  EXPECT_EQ(escape_for_terminal("\xff\xc3"), "\\xff\\xc3");           // invalid and cut UTF-8
  EXPECT_EQ(escape_for_terminal("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
  EXPECT_EQ(escape_for_terminal("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(escape_for_terminal("back\\slash"), "back\\slash") << "a lone backslash stays as typed";
  EXPECT_EQ(escape_for_terminal("\\d+\\.css$"), "\\d+\\.css$");
  EXPECT_EQ(escape_for_terminal("literal \\x1b"), "literal \\\\x1b") << "never mistaken for an escaped byte";
  EXPECT_EQ(escape_for_terminal("two \\\\"), "two \\\\\\");
  EXPECT_EQ(escape_for_terminal("end \\"), "end \\");
}

TEST(EscapeField, RoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  const std::string escaped = escape_field(all);
  for (const char c : escaped) {
    EXPECT_GT(static_cast<unsigned char>(c), 0x20);
    EXPECT_LT(static_cast<unsigned char>(c), 0x7f);
  }
  EXPECT_EQ(unescape_field(escaped), all);
  EXPECT_EQ(escape_field(""), "\\x");
  EXPECT_EQ(unescape_field("\\x"), "");
}

TEST(EscapeField, RefusesWhatItCouldNotHaveWritten) {
  EXPECT_FALSE(unescape_field(""));
  EXPECT_FALSE(unescape_field("a b"));
  EXPECT_FALSE(unescape_field("a\\"));
  EXPECT_FALSE(unescape_field("\\x4"));
  EXPECT_FALSE(unescape_field("\\xzz"));
  EXPECT_FALSE(unescape_field("\\n"));
  EXPECT_FALSE(unescape_field("\\x41")) << "'A' is never escaped: one text, one spelling";
}

TEST(FileUri, PercentEncodesWhatAUriCannotHoldAsSparksInputFileNameDoes) {
  EXPECT_EQ(file_uri("/var/log/access.log"), "file:///var/log/access.log");
  EXPECT_EQ(file_uri("/tmp/a b%c.log"), "file:///tmp/a%20b%25c.log");
  EXPECT_EQ(file_uri("/logs/caf\xc3\xa9#1?.log"), "file:///logs/caf%C3%A9%231%3F.log");
  EXPECT_EQ(file_uri("/x/a-b_c.~d+e=f,g;h@i:j!k$l&m'n(o)p*q"),
            "file:///x/a-b_c.~d+e=f,g;h@i:j!k$l&m'n(o)p*q");
}

}  // namespace
}  // namespace logstream
