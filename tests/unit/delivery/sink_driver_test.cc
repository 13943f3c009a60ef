// The runtime's side of the delivery contract, with scripted sinks: what is acknowledged when,
// how retries are spaced, where refused events go, and what the deadline does.
#include "delivery/sink_driver.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/stat.h>

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <thread>

#include "core/event_id.h"
#include "core/plain_encoder.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A batch of `n` plain events whose acknowledgement is counted in `acked`.
BatchPtr make_batch(int n, std::atomic<int>& acked, uint64_t first_offset = 0) {
  auto b = std::make_shared<Batch>();
  auto origin = std::make_shared<Origin>();
  origin->source = "app";
  origin->dataset = "app";
  origin->path = "/var/log/app.log";
  origin->id_seed = 7;
  b->origin = origin;
  for (int i = 0; i < n; ++i) {
    std::string text = "line " + std::to_string(first_offset + i);
    b->add_raw_event(text, first_offset + i * 10, first_offset + i * 10 + 10, 0);
  }
  encode_plain(*b);
  b->ack = AckToken([&acked] { ++acked; });
  return b;
}

// A sink whose answers the test scripts, per call: `answer(delivery, call number)`.
// Answers synchronously unless `hold` is set: then it keeps the delivery and never answers.
class ScriptedSink final : public Sink {
 public:
  using Held = std::vector<std::pair<std::shared_ptr<const Delivery>, DeliveryDone>>;
  std::function<DeliveryReport(const Delivery&, int)> answer;
  bool hold = false;
  std::vector<Clock::time_point> sent_at;
  std::vector<size_t> sent_events;
  std::atomic<bool> aborted{false};

  void send(std::shared_ptr<const Delivery> d, DeliveryDone done) override {
    int call;
    {
      std::lock_guard lock(mu_);
      sent_at.push_back(Clock::now());
      sent_events.push_back(d->events());
      call = static_cast<int>(sent_at.size());
      if (hold) {
        held_.emplace_back(std::move(d), std::move(done));
        return;
      }
    }
    done(answer(*d, call));
  }
  void abort() override { aborted.store(true); }
  size_t sent() {
    std::lock_guard lock(mu_);
    return sent_events.size();
  }
  Held take_held() {
    std::lock_guard lock(mu_);
    return std::move(held_);
  }

 private:
  std::mutex mu_;
  Held held_;
};

class SinkDriverTest : public ::testing::Test {
 protected:
  SinkDriverOptions options(const std::string& name) {
    SinkDriverOptions o;
    o.name = name;
    o.retry.initial.value = 20ms;
    o.retry.max.value = 2s;
    o.dead_letter_file = dir_ / ("dead-letter/" + name + ".ndjson");
    return o;
  }
  // Runs the driver over `batches` (the queue then ends) until it returns.
  SinkDriver::Result run(ScriptedSink& sink, const SinkDriverOptions& o, std::vector<BatchPtr> batches,
                         SinkDriver::DeadLetterOutput dead_letters = nullptr, std::function<bool()> past_deadline = [] { return false; }) {
    BatchQueue input(64 << 20, 1);
    for (auto& b : batches) input.push(std::move(b));
    input.producer_done();
    SinkDriver driver(sink, input, o, std::move(dead_letters), state_);
    return driver.run(past_deadline);
  }
  testing::TempDir dir_;
  SinkDriverState state_;
};

TEST_F(SinkDriverTest, DeliveredBatchesAreAcknowledgedOnceAndCounted) {
  ScriptedSink sink;
  sink.answer = [](const Delivery& d, int) { return DeliveryReport::delivered(d.events()); };
  std::atomic<int> acked{0};
  auto r = run(sink, options("ok"), {make_batch(3, acked), make_batch(2, acked)});
  EXPECT_EQ(r.undelivered, 0u);
  EXPECT_EQ(acked.load(), 2);
  EXPECT_EQ(metrics().value("logship_sink_acknowledged_events_total", {{"component", "ok"}}), 5);
  EXPECT_EQ(state_.held_events.load(), 0);
}

TEST_F(SinkDriverTest, OnlyWhatWasAnsweredRetryIsSentAgainAndTheBatchWaitsForIt) {
  ScriptedSink sink;
  std::atomic<int> acked{0};
  int acked_after_first = -1;
  sink.answer = [&](const Delivery& d, int call) {
    if (call == 1) {
      acked_after_first = acked.load();
      DeliveryReport r(d.events());
      uint16_t why = r.add_reason("es_rejected_execution_exception", "queue full");
      for (size_t i = 0; i < d.events(); ++i) r.set(i, i == 1 ? Outcome::kRetry : Outcome::kDelivered, why);
      return r;
    }
    return DeliveryReport::delivered(d.events());
  };
  auto r = run(sink, options("partial"), {make_batch(4, acked)});
  EXPECT_EQ(r.undelivered, 0u);
  ASSERT_EQ(sink.sent_events.size(), 2u);
  EXPECT_EQ(sink.sent_events[1], 1u) << "only the event answered retry";
  EXPECT_EQ(acked_after_first, 0);
  EXPECT_EQ(acked.load(), 1) << "acknowledged once, after the retry";
  EXPECT_EQ(metrics().value("logship_sink_retries_total", {{"component", "partial"}}), 1);
  EXPECT_EQ(metrics().value("logship_sink_acknowledged_events_total", {{"component", "partial"}}), 4);
}

TEST_F(SinkDriverTest, BackoffGrowsWhileRetriesContinueEvenWhenTheOtherEventsGoThrough) {
  // Like a 200 answer whose items say 429: each answer delivers some and asks to retry one.
  ScriptedSink sink;
  sink.answer = [](const Delivery& d, int call) {
    if (call > 7) return DeliveryReport::delivered(d.events());
    DeliveryReport r(d.events());
    uint16_t why = r.add_reason("item_429", "too many requests");
    for (size_t i = 0; i < d.events(); ++i) r.set(i, i + 1 == d.events() ? Outcome::kRetry : Outcome::kDelivered, why);
    return r;
  };
  std::atomic<int> acked{0};
  auto o = options("growing");
  o.retry.initial.value = 10ms;
  o.retry.max.value = 10s;
  run(sink, o, {make_batch(10, acked)});
  ASSERT_EQ(sink.sent_at.size(), 8u);
  std::vector<double> gaps;
  for (size_t i = 1; i < sink.sent_at.size(); ++i) gaps.push_back(std::chrono::duration<double, std::milli>(sink.sent_at[i] - sink.sent_at[i - 1]).count());
  // Each step doubles with "equal jitter" (half to all of it): a wait is never shorter than the
  // one before, and six doublings later it is at least 2^6 / 2 times the first.
  for (size_t i = 1; i < gaps.size(); ++i) EXPECT_GE(gaps[i] * 1.05 + 1, gaps[i - 1]) << "gap " << i;
  EXPECT_GE(gaps.back(), 16 * gaps.front()) << gaps.front() << " ms then " << gaps.back() << " ms";
}

TEST_F(SinkDriverTest, ARetryIsNotSentBeforeTheDelayTheDestinationAskedFor) {
  ScriptedSink sink;
  sink.answer = [](const Delivery& d, int call) {
    if (call == 1) return DeliveryReport::retry(d.events(), "http_429", "slow down", 300ms);
    return DeliveryReport::delivered(d.events());
  };
  std::atomic<int> acked{0};
  run(sink, options("retry_after"), {make_batch(2, acked)});
  ASSERT_EQ(sink.sent_at.size(), 2u);
  EXPECT_GE(sink.sent_at[1] - sink.sent_at[0], 300ms);
  EXPECT_EQ(acked.load(), 1);
}

TEST_F(SinkDriverTest, RejectedEventsAreWrittenToTheDeadLetterFileBeforeTheBatchIsAcknowledged) {
  ScriptedSink sink;
  sink.answer = [](const Delivery& d, int) {
    DeliveryReport r(d.events());
    uint16_t why = r.add_reason("mapper_parsing_exception", "failed to parse field [status]");
    for (size_t i = 0; i < d.events(); ++i) r.set(i, i == 2 ? Outcome::kRejected : Outcome::kDelivered, why);
    return r;
  };
  std::atomic<int> acked{0};
  auto o = options("search");
  auto r = run(sink, o, {make_batch(5, acked)});
  EXPECT_EQ(r.undelivered, 0u);
  EXPECT_EQ(acked.load(), 1);
  auto lines = testing::read_lines(o.dead_letter_file);
  ASSERT_EQ(lines.size(), 1u);
  struct stat st {};
  ASSERT_EQ(::stat(o.dead_letter_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir_ / "dead-letter").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  simdjson::dom::parser parser;
  simdjson::dom::element rec = parser.parse(lines[0]);
  EXPECT_EQ(std::string_view(rec["error"]["type"]), "mapper_parsing_exception");
  EXPECT_EQ(std::string_view(rec["error"]["message"]), "failed to parse field [status]");
  EXPECT_EQ(std::string_view(rec["logship"]["dead_letter"]["sink"]), "search");
  EXPECT_NE(std::string(std::string_view(rec["event"]["original"])).find("\"message\":\"line 2\""), std::string::npos);
  EXPECT_EQ(metrics().value("logship_sink_dead_lettered_events_total", {{"component", "search"}, {"reason", "mapper_parsing_exception"}}), 1);
  EXPECT_EQ(metrics().value("logship_sink_acknowledged_events_total", {{"component", "search"}}), 4);
}

TEST_F(SinkDriverTest, RejectedEventsGoToTheWiredOutputAndTheBatchWaitsForItsAcknowledgement) {
  ScriptedSink sink;
  sink.answer = [](const Delivery& d, int) { return DeliveryReport::rejected(d.events(), "MSG_SIZE_TOO_LARGE", "too large"); };
  std::atomic<int> acked{0};
  std::vector<BatchPtr> handed;
  auto r = run(sink, options("kafka"), {make_batch(3, acked)}, [&](BatchPtr& b) {
    EXPECT_EQ(acked.load(), 0) << "not acknowledged before the dead letters are durable";
    handed.push_back(b);
    b->ack.ack();  // the dead-letter sink made them durable
    return SinkDriver::Handed::kHanded;
  });
  EXPECT_EQ(r.undelivered, 0u);
  ASSERT_EQ(handed.size(), 1u);
  EXPECT_EQ(handed[0]->events.size(), 3u);
  EXPECT_EQ(handed[0]->origin->dataset, "deadletter");
  EXPECT_EQ(acked.load(), 1);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "dead-letter/kafka.ndjson"));
  // The record is logship's own event, with the refused event's id.
  std::string_view id, dataset;
  ASSERT_TRUE(find_event_metadata(handed[0]->encoded_text(handed[0]->events[0]), id, dataset));
  EXPECT_EQ(dataset, "deadletter");
  std::string expected;
  append_event_id(expected, 7, 0, "line 0");
  EXPECT_EQ(id, expected);
}

TEST_F(SinkDriverTest, ADeadLetterItsReaderLetGoIsWrittenToTheFileAndTheBatchIsAcknowledgedOnce) {
  // The dead-letter sink was replaced by a reload and its successor never saw the record.
  ScriptedSink sink;
  sink.answer = [](const Delivery& d, int) { return DeliveryReport::rejected(d.events(), "INVALID_RECORD", "no key"); };
  std::atomic<int> acked{0};
  auto o = options("let_go");
  auto r = run(sink, o, {make_batch(2, acked)}, [&](BatchPtr& b) {
    b.reset();  // taken, then dropped without an acknowledgement
    return SinkDriver::Handed::kHanded;
  });
  EXPECT_EQ(r.undelivered, 0u);
  EXPECT_EQ(acked.load(), 1);
  EXPECT_EQ(testing::read_lines(o.dead_letter_file).size(), 2u);
}

TEST_F(SinkDriverTest, AReaderWithoutRoomForDeadLettersDoesNotStopTheDriverFromHearingReports) {
  ScriptedSink sink;
  sink.answer = [](const Delivery& d, int call) {
    if (call == 1) return DeliveryReport::rejected(d.events(), "x", "refused");
    return DeliveryReport::delivered(d.events());
  };
  std::atomic<int> acked{0};
  std::atomic<int> tries{0};
  std::vector<BatchPtr> kept;
  auto r = run(sink, options("no_room"), {make_batch(1, acked), make_batch(1, acked, 100)}, [&](BatchPtr& b) {
    if (++tries < 5) return SinkDriver::Handed::kNoRoom;  // the reader's queue is full for a while
    b->ack.ack();
    kept.push_back(b);
    return SinkDriver::Handed::kHanded;
  });
  EXPECT_EQ(r.undelivered, 0u);
  EXPECT_GE(tries.load(), 5);
  EXPECT_EQ(acked.load(), 2);
  EXPECT_EQ(kept.size(), 1u);
}

TEST_F(SinkDriverTest, TheSameBatchTwiceIsAcknowledgedTwice) {
  ScriptedSink sink;
  sink.answer = [](const Delivery& d, int) { return DeliveryReport::delivered(d.events()); };
  std::atomic<int> fired{0};
  BatchPtr b = make_batch(3, fired);
  b->ack.add_pending(1);  // two readers of one output: two acknowledgements owed
  auto o = options("twice");
  o.group_bytes = 1 << 20;  // both copies in one delivery
  run(sink, o, {b, b});
  EXPECT_EQ(fired.load(), 1) << "the token fired: both acknowledgements came";
}

TEST_F(SinkDriverTest, AFailingDeadLetterFileIsWrittenAgainAndNothingIsAcknowledgedMeanwhile) {
  ScriptedSink sink;
  sink.answer = [](const Delivery& d, int) { return DeliveryReport::rejected(d.events(), "INVALID_RECORD", "compacted topic needs a key"); };
  std::atomic<int> acked{0};
  auto o = options("blocked");
  // The dead-letter folder is a regular file for now: opening the file under it fails.
  testing::write_file(dir_ / "dead-letter", "not a folder");
  std::thread fixer([&] {
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(acked.load(), 0);
    std::filesystem::remove(dir_ / "dead-letter");
  });
  auto r = run(sink, o, {make_batch(2, acked)});
  fixer.join();
  EXPECT_EQ(r.undelivered, 0u);
  EXPECT_EQ(acked.load(), 1);
  EXPECT_EQ(testing::read_lines(o.dead_letter_file).size(), 2u);
}

TEST_F(SinkDriverTest, PastTheDeadlineTheSinkIsAbortedAndNothingIsAcknowledged) {
  ScriptedSink sink;
  sink.hold = true;  // a destination that never answers
  std::atomic<int> acked{0};
  auto start = Clock::now();
  auto r = run(sink, options("stuck"), {make_batch(5, acked), make_batch(4, acked)}, nullptr,
               [start] { return Clock::now() - start > 200ms; });
  EXPECT_TRUE(sink.aborted.load());
  EXPECT_EQ(r.undelivered, 9u);
  EXPECT_EQ(acked.load(), 0);
  EXPECT_EQ(metrics().value("logship_sink_dropped_events_total", {{"component", "stuck"}}), 9);
  // A report after the abort finds nobody listening.
  for (auto& [d, done] : sink.take_held()) done(DeliveryReport::delivered(d->events()));
  EXPECT_EQ(acked.load(), 0);
}

TEST_F(SinkDriverTest, WhatIsInFlightIsBoundedAndMoreIsTakenOnlyWhenReportsFreeRoom) {
  ScriptedSink sink;
  sink.hold = true;
  std::atomic<int> acked{0};
  BatchQueue input(64 << 20, 1);
  size_t first_bytes = 0;
  for (int i = 0; i < 10; ++i) {
    BatchPtr b = make_batch(100, acked, i * 1000);
    if (i == 0) first_bytes = b->memory_bytes();
    input.push(std::move(b));
  }
  input.producer_done();
  auto o = options("bounded");
  o.in_flight_bytes = first_bytes + 1;  // room for a second batch, not a third
  SinkDriver driver(sink, input, o, nullptr, state_);
  std::thread t([&] { driver.run([] { return false; }); });
  ASSERT_TRUE(testing::eventually([&] { return sink.sent() >= 2; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(sink.sent(), 2u) << "no more than the bound";
  // The destination answers: room again, and everything goes through in the end.
  auto answer_all = [&] {
    for (auto& [d, done] : sink.take_held()) done(DeliveryReport::delivered(d->events()));
  };
  ASSERT_TRUE(testing::eventually([&] {
    answer_all();
    return acked.load() == 10;
  }));
  t.join();
}

TEST(DeliveryReportTest, UniformAnswersNeedNoStorageAndPerEventOnesKeepTheirReasons) {
  auto all = DeliveryReport::delivered(3);
  EXPECT_TRUE(all.all_delivered());
  auto some = DeliveryReport::retry(2, "http_503", "unavailable", 2s);
  EXPECT_EQ(some.outcome(1), Outcome::kRetry);
  EXPECT_EQ(some.reason(1).retry_after, 2s);
  DeliveryReport mixed(3);
  uint16_t a = mixed.add_reason("x", "one");
  uint16_t b = mixed.add_reason("y", "two");
  mixed.set(0, Outcome::kDelivered);
  mixed.set(1, Outcome::kRejected, a);
  mixed.set(2, Outcome::kRejected, b);
  EXPECT_FALSE(mixed.all_delivered());
  EXPECT_EQ(mixed.reason(2).message, "two");
  EXPECT_EQ(mixed.reason_index(1), a);
  EXPECT_EQ(DeliveryReport(2).outcome(0), Outcome::kUnset) << "what a sink did not say is not taken as delivered";
}

}  // namespace
}  // namespace logship
