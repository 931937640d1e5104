#pragma once

#include <QString>
#include <QtGlobal>

#include <optional>

namespace tl {

// Money in TokenLedger is an integer count of nano-USD (1 USD = 1,000,000,000 nano-USD) in storage,
// arithmetic and sums; it becomes a decimal only for display. qint64 holds up to about 9.2e9 USD.
using NanoUsd = qint64;

inline constexpr NanoUsd kNanoPerUsd = 1'000'000'000;

// The largest amount (in magnitude) one ledger record may carry: 2^53 nano-USD, about 9.0 million USD.
// A computed cost above it is not trusted (unpriced); a given one (a cost report, a CSV cost_usd) is
// refused. It is also the largest integer a JSON number (a double) holds exactly, and 1,024 records at
// the bound are needed before a SUM over the ledger could leave qint64's range (about 9.2e9 USD).
inline constexpr NanoUsd kMaxRecordCost = NanoUsd(1) << 53;

// Prices are kept as integer nano-USD per one million tokens (or per the unit a price names), so that
// every price in the book (e.g. $0.0375/MTok = 37,500,000) is exact. A per-call cost is
// sum(tokens_i * price_i) / 1e6, computed in 128-bit integers and rounded once per call, half away from zero.
using NanoUsdPerMillion = qint64;

// Exact accumulator for sum(units_i * pricePerMillion_i) / 1,000,000, portable (no 128-bit integers):
// whole nano-USD and the sub-nano remainder (in millionths of a nano-USD) are kept apart, so
// nothing is rounded until rounded() is called, once per call record.
//
// Overflow: every multiply and add is checked (qMulOverflow / qAddOverflow). A sum whose value, or
// any step towards it, leaves the qint64 range (about 9.2e9 USD) is marked overflowed(); checked()
// then returns nullopt, and callers treat the cost as unknown (unpriced), never as a wrapped figure.
class PerMillionSum
{
public:
    void add(qint64 units, NanoUsdPerMillion pricePerMillion);
    // The sum times num/den (den > 0; e.g. 1/2 for Batch API prices), rounded half away from
    // zero to whole nano-USD. Exact for any per-call amount below about 9,000 USD * den.
    // 0 when overflowed(): use checked() where the amounts come from outside.
    NanoUsd rounded(qint64 num = 1, qint64 den = 1) const;
    // rounded(num, den), or nullopt when the sum or its scaling overflowed qint64.
    std::optional<NanoUsd> checked(qint64 num = 1, qint64 den = 1) const;
    bool overflowed() const { return m_overflow; }

private:
    qint64 m_whole = 0;     // nano-USD
    qint64 m_remainder = 0; // millionths of a nano-USD
    bool m_overflow = false;
};

// Exact decimal text of an amount: 1234567890 -> "1.23456789" (trailing zeros trimmed, at least two
// decimals: "0.00", "12.50"). Negative amounts get a leading '-'.
QString toDecimalUsd(NanoUsd amount);

// Display text with a dollar sign and `decimals` digits after the point, rounded half away from zero:
// formatUsd(1234567890, 2) == "$1.23". A non-zero amount below ten units of `decimals` (under ten cents at
// 2) gets two significant digits (trailing zeros dropped), so it never reads as $0.00 nor is rounded by a
// quarter: 15,900,000 -> "$0.016", 7,500,000 -> "$0.0075", 614,250 -> "$0.00061", 3,000 -> "$0.000003",
// 90,000,000 -> "$0.09".
QString formatUsd(NanoUsd amount, int decimals = 2);

// Parses a decimal USD string ("2.5", "0.0375", "-1e-3" is rejected) exactly into nano-USD.
// Returns nullopt for malformed text or more than 9 fractional digits that are not zeros.
std::optional<NanoUsd> parseDecimalUsd(QStringView text);

// Like parseDecimalUsd, but digits finer than one nano-USD are rounded to the nearest nano-USD, half
// away from zero ("0.0000000005" -> 1, "-0.0000000005" -> -1, "1.23456789049" -> 1,234,567,890).
// `rounded`, if given, is set when a non-zero digit beyond the ninth decimal was dropped.
// nullopt for malformed text or an amount beyond the qint64 range.
std::optional<NanoUsd> parseDecimalUsdRounded(QStringView text, bool *rounded = nullptr);

// Parses a decimal USD-per-million-tokens price ("2.5" -> 2,500,000,000 nano-USD per MTok).
inline std::optional<NanoUsdPerMillion> parsePricePerMillion(QStringView text) { return parseDecimalUsd(text); }

} // namespace tl
