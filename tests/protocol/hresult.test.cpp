// HRESULT names and values both ways (issue 2, section 2: "HRESULT names and values map both ways").
#include "protocol/hresult.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace dbgsim::protocol;

// The table the issue fixes: every named code with its value. A wrong constant, a missing name
// or a name mapped to the wrong value fails here.
const std::vector<std::pair<std::string, std::uint32_t>> named = {
    {"S_OK", 0x00000000},
    {"S_FALSE", 0x00000001},
    {"E_NOTIMPL", 0x80004001},
    {"E_NOINTERFACE", 0x80004002},
    {"E_POINTER", 0x80004003},
    {"E_ABORT", 0x80004004},
    {"E_FAIL", 0x80004005},
    {"E_PENDING", 0x8000000A},
    {"E_UNEXPECTED", 0x8000FFFF},
    {"E_ACCESSDENIED", 0x80070005},
    {"E_HANDLE", 0x80070006},
    {"E_OUTOFMEMORY", 0x8007000E},
    {"E_INVALIDARG", 0x80070057},
    {"RPC_E_SERVER_DIED", 0x80010007},
    {"RPC_E_DISCONNECTED", 0x80010108},
    {"RPC_E_VERSION_MISMATCH", 0x80010110},
    {"ERROR_SEM_TIMEOUT", 0x80070079},
    {"ERROR_OPERATION_ABORTED", 0x800703E3},
    {"RPC_S_SERVER_UNAVAILABLE", 0x800706BA},
    {"RPC_S_CALL_FAILED", 0x800706BE},
};

TEST(Hresult, EveryNamedCodeMapsBothWays) {
  std::set<std::uint32_t> values;
  for (const auto& [name, value] : named) {
    SCOPED_TRACE(name);
    EXPECT_EQ(to_string(hresult{value}), name);
    auto parsed = parse_hresult(name);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->value, value);
    values.insert(value);
  }
  EXPECT_EQ(values.size(), named.size()) << "two names share a value";
}

TEST(Hresult, ConstantsHaveTheDocumentedValues) {
  EXPECT_EQ(S_OK.value, 0x00000000u);
  EXPECT_EQ(E_FAIL.value, 0x80004005u);
  EXPECT_EQ(E_INVALIDARG.value, 0x80070057u);
  EXPECT_EQ(RPC_E_DISCONNECTED.value, 0x80010108u);
  EXPECT_EQ(RPC_E_VERSION_MISMATCH.value, 0x80010110u);
}

TEST(Hresult, Win32FormsComeFromHresultFromWin32) {
  EXPECT_EQ(hresult_from_win32(121), ERROR_SEM_TIMEOUT);
  EXPECT_EQ(hresult_from_win32(995), ERROR_OPERATION_ABORTED);
  EXPECT_EQ(hresult_from_win32(1722), RPC_S_SERVER_UNAVAILABLE);
  EXPECT_EQ(hresult_from_win32(1726), RPC_S_CALL_FAILED);
  EXPECT_EQ(hresult_from_win32(0), S_OK);
}

TEST(Hresult, SeverityBit) {
  EXPECT_TRUE(S_OK.succeeded());
  EXPECT_TRUE(S_FALSE.succeeded());
  EXPECT_TRUE(E_FAIL.failed());
  EXPECT_TRUE(RPC_S_CALL_FAILED.failed());
}

TEST(Hresult, UnnamedCodesPrintAsUppercaseHexAndParseBack) {
  for (std::uint32_t v : {0x00000002u, 0x8007000Du, 0xDEADBEEFu, 0xFFFFFFFFu, 0x0000ABCDu}) {
    std::string text = to_string(hresult{v});
    char expected[11];
    std::snprintf(expected, sizeof expected, "0x%08X", v);
    EXPECT_EQ(text, expected);
    auto back = parse_hresult(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(back->value, v);
  }
}

TEST(Hresult, ParseAcceptsHexOfAnyCaseAndLength) {
  EXPECT_EQ(parse_hresult("0x80004005"), E_FAIL);
  EXPECT_EQ(parse_hresult("0x8007000e"), E_OUTOFMEMORY);
  EXPECT_EQ(parse_hresult("0X1"), S_FALSE);
  EXPECT_EQ(parse_hresult("0x0"), S_OK);
}

TEST(Hresult, ParseRejectsMalformedText) {
  for (const char* bad : {"", "0x", "0x123456789", "80004005", "e_fail", "E_FAIL ", " S_OK", "0xG",
                          "0x-1", "S_OKAY", "0x 1"}) {
    EXPECT_FALSE(parse_hresult(bad).has_value()) << '"' << bad << '"';
  }
}

}  // namespace
