// The fixture's check of daemon sanitizer reports: a report a daemon leaves fails the test that
// started it (so a sanitized run cannot pass with a broken daemon), in any build.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <string>

#include "tests/mount_fixture.h"

namespace ipcfs::test {
namespace {

TEST(SanitizerCheck, DaemonsAreToldWhereToReport) {
  ASSERT_FALSE(sanitizer_log_dir().empty());
  for (const char* var : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"}) {
    const char* v = ::getenv(var);
    ASSERT_NE(v, nullptr) << var;
    EXPECT_NE(std::string(v).find("log_path=" + sanitizer_log_dir() + "/report"), std::string::npos)
        << var << "=" << v;
  }
}

TEST(SanitizerCheck, AReportOfTheDaemonFailsTheTest) {
  EXPECT_NONFATAL_FAILURE(
      {
        Mount m;
        std::ofstream(sanitizer_log_dir() + "/report." + std::to_string(m.pid()))
            << "==1==ERROR: AddressSanitizer: a fake report\n";
        m.unmount();
      },
      "a fake report");
}

}  // namespace
}  // namespace ipcfs::test
