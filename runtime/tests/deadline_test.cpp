// The limits API that needs no engine: Store fuel accounting and interrupt requests, and the
// Deadline timer (runtime/deadline.hpp).
#include <atomic>
#include <chrono>
#include <thread>

#include "runtime/deadline.hpp"
#include "runtime/store.hpp"
#include "runtime/tests/test_engine.hpp"

using namespace wsvm;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST_CASE("Store fuel: set, add, remaining, consumed", "[limits]") {
  test::TestEngine engine;
  Store store(engine);
  store.set_fuel(1000);
  CHECK(store.fuel_remaining() == 1000);
  CHECK(store.fuel_consumed() == 0);
  CHECK(store.exec().fuel_remaining == 1000);
  store.exec().fuel_remaining -= 300;  // what an engine does while running
  CHECK(store.fuel_remaining() == 700);
  CHECK(store.fuel_consumed() == 300);
  store.add_fuel(50);
  CHECK(store.fuel_remaining() == 750);
  CHECK(store.fuel_consumed() == 300);
  store.set_fuel(5);  // restarts the count
  CHECK(store.fuel_consumed() == 0);
  CHECK(store.fuel_remaining() == 5);
  store.set_fuel(UINT64_MAX);  // clamped to the int64_t counter
  CHECK(store.exec().fuel_remaining == INT64_MAX);
  store.add_fuel(UINT64_MAX);  // saturates instead of wrapping negative
  CHECK(store.exec().fuel_remaining == INT64_MAX);
  CHECK(store.fuel_consumed() == 0);
}

TEST_CASE("Store interrupt requests stay until cleared", "[limits]") {
  test::TestEngine engine;
  Store store(engine);
  CHECK_FALSE(store.interrupt_requested());
  std::thread([&] { store.interrupt(); }).join();
  CHECK(store.interrupt_requested());
  CHECK(store.exec().interrupt.load() != 0);
  store.clear_interrupt();
  CHECK_FALSE(store.interrupt_requested());
}

TEST_CASE("Deadline sets the flag at the deadline, not before", "[limits][deadline]") {
  std::atomic<uint32_t> flag{0};
  auto start = Clock::now();
  Deadline d(flag, 50ms);
  std::this_thread::sleep_for(20ms);
  CHECK(flag.load() == 0);
  CHECK_FALSE(d.fired());
  while (flag.load() == 0 && Clock::now() - start < 5s) std::this_thread::yield();
  auto seen = Clock::now();
  REQUIRE(flag.load() == 1);
  CHECK(d.fired());
  CHECK(d.fired_at() >= d.deadline());
  CHECK(seen - start >= 50ms);
  // Generous: the machine is shared. The typical figure is well under 1 ms.
  CHECK(d.fired_at() - d.deadline() < 100ms);
}

TEST_CASE("Deadline on a Store interrupts it", "[limits][deadline]") {
  test::TestEngine engine;
  Store store(engine);
  {
    Deadline d(store, 1ms);
    auto start = Clock::now();
    while (!store.interrupt_requested() && Clock::now() - start < 5s) std::this_thread::yield();
  }
  CHECK(store.interrupt_requested());  // cancel does not clear a fired flag
}

TEST_CASE("Deadline cancelled early never fires; destruction joins at once", "[limits][deadline]") {
  std::atomic<uint32_t> flag{0};
  auto start = Clock::now();
  {
    Deadline d(flag, 10s);
    d.cancel();
    d.cancel();  // idempotent
    CHECK_FALSE(d.fired());
  }
  { Deadline d(flag, 10s); }  // destructor cancels
  CHECK(Clock::now() - start < 5s);
  CHECK(flag.load() == 0);
}

TEST_CASE("Deadline overrun callback: runs when the run outlives the grace", "[limits][deadline]") {
  std::atomic<uint32_t> flag{0};
  std::atomic<int> overruns{0};
  {
    Deadline::Overrun o;
    o.grace = 20ms;
    o.callback = [&] { ++overruns; };
    Deadline d(flag, 5ms, o);
    std::this_thread::sleep_for(200ms);  // "stuck in a host call"
  }
  CHECK(flag.load() == 1);
  CHECK(overruns.load() == 1);
}

TEST_CASE("Deadline overrun callback: not run when the run ends within the grace",
          "[limits][deadline]") {
  std::atomic<uint32_t> flag{0};
  std::atomic<int> overruns{0};
  {
    Deadline::Overrun o;
    o.grace = 5s;
    o.callback = [&] { ++overruns; };
    Deadline d(flag, 1ms, o);
    auto start = Clock::now();
    while (!d.fired() && Clock::now() - start < 5s) std::this_thread::yield();
    CHECK(d.fired());
  }  // the run "noticed the flag" and ended: cancel within the grace
  CHECK(overruns.load() == 0);
}
