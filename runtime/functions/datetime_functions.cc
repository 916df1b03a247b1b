// Date and time functions.
#include <chrono>

#include "common/ascii.h"
#include "common/java_math.h"
#include "common/time_util.h"
#include "runtime/functions/datetime_format.h"
#include "runtime/functions/function_util.h"

namespace brook::functions {

namespace {

TypePtr Str() { return SqlType::String(); }
TypePtr Ts() { return SqlType::Timestamp(); }
TypePtr Date() { return SqlType::Date(); }
TypePtr Time() { return SqlType::Time(); }
TypePtr Big() { return SqlType::Bigint(); }
TypePtr Int() { return SqlType::Int(); }

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Unit names for TIMESTAMPADD & co: MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS.
std::optional<int64_t> UnitMillis(std::string u) {
  AsciiUpperInPlace(u);
  if (!u.empty() && u.back() == 'S') u.pop_back();
  if (u == "MILLISECOND") return 1;
  if (u == "SECOND") return 1000;
  if (u == "MINUTE") return 60'000;
  if (u == "HOUR") return 3'600'000;
  if (u == "DAY") return 86'400'000;
  return std::nullopt;
}

Value FormatWith(int64_t ms, const std::vector<Value>& a, size_t pattern_i, size_t zone_i,
                 FunctionContext& ctx) {
  std::shared_ptr<const TimeZone> zone;
  if (a.size() > zone_i) {
    auto o = TimeZone::Find(a[zone_i].as_string());
    if (!o.ok()) {
      ctx.error = o.status().message();
      return Value();
    }
    zone = *o;
  }
  auto s = FormatMillis(ms, a[pattern_i].as_string(), zone ? *zone : Utc());
  if (!s.ok()) {
    ctx.error = s.status().message();
    return Value();
  }
  return Value::String(*s);
}

Result<int64_t> ParseWith(const std::vector<Value>& a, size_t zone_i) {
  if (a.size() > zone_i) {
    ASSIGN_OR_RETURN(auto zone, TimeZone::Find(a[zone_i].as_string()));
    return ParseMillis(a[0].as_string(), a[1].as_string(), *zone);
  }
  return ParseMillis(a[0].as_string(), a[1].as_string(), Utc());
}

}  // namespace

void RegisterDateTimeFunctions(FunctionRegistry& r) {
  Add(r, "UNIX_TIMESTAMP", "DATE / TIME", "Milliseconds since epoch of a TIMESTAMP, or now.",
      Overloads("UNIX_TIMESTAMP", {{{}, Returns(Big())}, {{Ts()}, Returns(Big())}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        return Value::Bigint(a.empty() ? NowMs() : a[0].as_int64());
      });
  Add(r, "UNIX_DATE", "DATE / TIME", "Days since epoch of a DATE, or today.",
      Overloads("UNIX_DATE", {{{}, Returns(Int())}, {{Date()}, Returns(Int())}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        return Value::Int(static_cast<int32_t>(a.empty() ? FloorDiv(NowMs(), 86'400'000) : a[0].as_int64()));
      });
  Add(r, "FROM_UNIXTIME", "DATE / TIME", "A TIMESTAMP from milliseconds since epoch.",
      Overloads("FROM_UNIXTIME", {{{Big()}, Returns(Ts())}}),
      [](const std::vector<Value>& a, FunctionContext&) { return Value::Timestamp(a[0].as_int64()); });
  Add(r, "FROM_DAYS", "DATE / TIME", "A DATE from days since epoch.",
      Overloads("FROM_DAYS", {{{Int()}, Returns(Date())}}),
      [](const std::vector<Value>& a, FunctionContext&) { return Value::Date(a[0].as_int()); });
  auto add_ts = [](bool sub) {
    return [sub](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
      auto unit = UnitMillis(a[0].as_string());
      if (!unit) {
        ctx.error = "Unknown time unit: " + a[0].as_string();
        return Value();
      }
      int64_t delta = SaturatingMul(a[1].as_int64(), *unit);
      if (sub) delta = JavaSub(0, delta);
      const Value& base = a[2];
      if (base.kind() == Value::Kind::kDate) {
        return Value::Date(
            static_cast<int32_t>(JavaAdd(base.as_int64(), FloorDiv(delta, 86'400'000))));
      }
      if (base.kind() == Value::Kind::kTime) {
        int64_t t = JavaAdd(base.as_int64() % 86'400'000, delta % 86'400'000) % 86'400'000;
        if (t < 0) t += 86'400'000;
        return Value::Time(t);
      }
      return Value::Timestamp(JavaAdd(base.as_int64(), delta));
    };
  };
  for (bool sub : {false, true}) {
    Add(r, sub ? "TIMESTAMPSUB" : "TIMESTAMPADD", "DATE / TIME", "(unit, interval, timestamp)",
        Overloads(sub ? "TIMESTAMPSUB" : "TIMESTAMPADD", {{{Str(), Int(), Ts()}, Returns(Ts())}}), add_ts(sub));
    Add(r, sub ? "DATESUB" : "DATEADD", "DATE / TIME", "(unit, interval, date)",
        Overloads(sub ? "DATESUB" : "DATEADD", {{{Str(), Int(), Date()}, Returns(Date())}}), add_ts(sub));
    Add(r, sub ? "TIMESUB" : "TIMEADD", "DATE / TIME", "(unit, interval, time)",
        Overloads(sub ? "TIMESUB" : "TIMEADD", {{{Str(), Int(), Time()}, Returns(Time())}}), add_ts(sub));
  }
  Add(r, "FORMAT_TIMESTAMP", "DATE / TIME", "FORMAT_TIMESTAMP(ts, pattern[, zone])",
      Overloads("FORMAT_TIMESTAMP", {{{Ts(), Str()}, Returns(Str())}, {{Ts(), Str(), Str()}, Returns(Str())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) { return FormatWith(a[0].as_int64(), a, 1, 2, ctx); });
  Add(r, "TIMESTAMPTOSTRING", "DATE / TIME", "TIMESTAMPTOSTRING(epochMs, pattern[, zone])",
      Overloads("TIMESTAMPTOSTRING", {{{Big(), Str()}, Returns(Str())}, {{Big(), Str(), Str()}, Returns(Str())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) { return FormatWith(a[0].as_int64(), a, 1, 2, ctx); });
  Add(r, "FORMAT_DATE", "DATE / TIME", "FORMAT_DATE(date, pattern)",
      Overloads("FORMAT_DATE", {{{Date(), Str()}, Returns(Str())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) {
        return FormatWith(a[0].as_int64() * 86'400'000, a, 1, 9, ctx);
      });
  Add(r, "DATETOSTRING", "DATE / TIME", "DATETOSTRING(epochDays, pattern)",
      Overloads("DATETOSTRING", {{{Int(), Str()}, Returns(Str())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) {
        return FormatWith(a[0].as_int64() * 86'400'000, a, 1, 9, ctx);
      });
  Add(r, "FORMAT_TIME", "DATE / TIME", "FORMAT_TIME(time, pattern)",
      Overloads("FORMAT_TIME", {{{Time(), Str()}, Returns(Str())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) { return FormatWith(a[0].as_int64(), a, 1, 9, ctx); });
  Add(r, "PARSE_TIMESTAMP", "DATE / TIME", "PARSE_TIMESTAMP(text, pattern[, zone])",
      Overloads("PARSE_TIMESTAMP", {{{Str(), Str()}, Returns(Ts())}, {{Str(), Str(), Str()}, Returns(Ts())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        auto ms = ParseWith(a, 2);
        if (!ms.ok()) { ctx.error = ms.status().message(); return Value(); }
        return Value::Timestamp(*ms);
      });
  Add(r, "STRINGTOTIMESTAMP", "DATE / TIME", "STRINGTOTIMESTAMP(text, pattern[, zone]) -> epoch ms",
      Overloads("STRINGTOTIMESTAMP", {{{Str(), Str()}, Returns(Big())}, {{Str(), Str(), Str()}, Returns(Big())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        auto ms = ParseWith(a, 2);
        if (!ms.ok()) { ctx.error = ms.status().message(); return Value(); }
        return Value::Bigint(*ms);
      });
  Add(r, "PARSE_DATE", "DATE / TIME", "PARSE_DATE(text, pattern)",
      Overloads("PARSE_DATE", {{{Str(), Str()}, Returns(Date())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        // As ksqlDB's ParseDate: no time fields, and a full date (LocalDate.from).
        const std::string& text = a[0].as_string();
        const std::string& pattern = a[1].as_string();
        std::string prefix = "Failed to parse date '" + text + "' with formatter '" + pattern + "': ";
        auto ms = ParseWith(a, 9);
        if (!ms.ok()) { ctx.error = prefix + ms.status().message(); return Value(); }
        PatternFields fields = PatternFieldsOf(pattern);
        if (fields.time) { ctx.error = prefix + "Date format contains time field."; return Value(); }
        if (!fields.FullDate()) {
          ctx.error = prefix + "Text '" + text + "' could not be parsed: Unable to obtain "
                      "LocalDate from TemporalAccessor";
          return Value();
        }
        return Value::Date(static_cast<int32_t>(FloorDiv(*ms, 86'400'000)));
      });
  Add(r, "STRINGTODATE", "DATE / TIME", "STRINGTODATE(text, pattern) -> epoch days",
      Overloads("STRINGTODATE", {{{Str(), Str()}, Returns(Int())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        auto ms = ParseWith(a, 9);
        if (!ms.ok()) { ctx.error = ms.status().message(); return Value(); }
        return Value::Int(static_cast<int32_t>(FloorDiv(*ms, 86'400'000)));
      });
  Add(r, "PARSE_TIME", "DATE / TIME", "PARSE_TIME(text, pattern)",
      Overloads("PARSE_TIME", {{{Str(), Str()}, Returns(Time())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        auto ms = ParseWith(a, 9);
        if (!ms.ok()) { ctx.error = ms.status().message(); return Value(); }
        int64_t t = *ms % 86'400'000;
        return Value::Time(t < 0 ? t + 86'400'000 : t);
      });
  Add(r, "CONVERT_TZ", "DATE / TIME", "CONVERT_TZ(ts, fromZone, toZone)",
      Overloads("CONVERT_TZ", {{{Ts(), Str(), Str()}, Returns(Ts())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        auto from = TimeZone::Find(a[1].as_string());
        auto to = TimeZone::Find(a[2].as_string());
        if (!from.ok() || !to.ok()) {
          ctx.error = (!from.ok() ? from.status() : to.status()).message();
          return Value();
        }
        int64_t utc = JavaSub(a[0].as_int64(), (*from)->OffsetForLocal(a[0].as_int64()));
        return Value::Timestamp(JavaAdd(utc, (*to)->OffsetAt(utc)));
      });
}

}  // namespace brook::functions
