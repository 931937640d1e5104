#pragma once

#include <QLoggingCategory>

// Logging categories of the Batch API and team-spend modules (defined in ApiHttp.cpp).
Q_DECLARE_LOGGING_CATEGORY(lcBatch)
Q_DECLARE_LOGGING_CATEGORY(lcTeamSpend)
