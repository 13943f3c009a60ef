// What one alert rule keeps of one group's events over its sliding window: counts and sums in
// time buckets (window / 60 wide, at least 1 s), and for percentile rules the values themselves
// (the latest `max_samples`). Times are event times in Unix nanoseconds.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace logship {

struct WindowFigures {
  int64_t events = 0;    // events in the window (those the rule's `where` let through)
  int64_t matched = 0;   // of them, `matching` (share)
  int64_t numbers = 0;   // of them, with a number in the rule's field
  double sum = 0;
  double min = 0;
  double max = 0;
};

// One event into a bucket's figures; two buckets' figures into one.
void add_to(WindowFigures& f, bool matched, std::optional<double> number);
void merge_into(WindowFigures& all, const WindowFigures& f);

class GroupWindow {
 public:
  GroupWindow(int64_t window_ns, size_t max_samples, bool keep_samples);
  // `number` is the field's value when the rule reads one and the event has it.
  void add(int64_t time_ns, bool matched, std::optional<double> number);
  // Drops what is older than the window ending at `now_ns`; true when nothing is left.
  bool expire(int64_t now_ns);
  WindowFigures figures() const;
  // The percentile (0..100) of the values in the window, nearest rank; none without values.
  std::optional<double> percentile(double p) const;

 private:
  struct Bucket {
    int64_t index = 0;
    WindowFigures f;
  };
  int64_t window_ns_;
  int64_t width_ns_;
  size_t max_samples_;
  bool keep_samples_;
  std::deque<Bucket> buckets_;                       // ascending index
  std::deque<std::pair<int64_t, double>> samples_;   // in arrival order
};

}  // namespace logship
