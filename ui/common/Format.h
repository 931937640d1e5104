#pragma once

#include "common/Money.h"

#include <QLocale>
#include <QString>

namespace tl::Format {

// Display formatting shared by the pages. Numbers use the UI locale with digit grouping (the "C"
// locale of tests and headless runs is shown as English). Money stays nano-USD until here.
QLocale locale();
QString count(qint64 n);           // "28,185"
QString compactCount(qint64 n);    // "28.2K", "3.41M", "1.2B" (KPI tiles)
QString usd(NanoUsd amount);       // "$1,234.57"; tiny non-zero amounts keep a significant digit ("$0.0004")
QString usdPerMTok(NanoUsdPerMillion price); // "$2.50" (per million tokens), exact digits up to 4 places
QString latency(qint64 us);        // "0.4 ms", "9.9 ms", "840 ms" (rounded), "2.4 s", "–" when unknown (< 0)
QString share(double fraction);    // "12.3%"

} // namespace tl::Format
