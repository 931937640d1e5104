#pragma once

#include <QLoggingCategory>

// One logging category per module. Secrets and Authorization / x-api-key values are never logged.
// Debug messages are off unless enabled (QT_LOGGING_RULES="tokenledger.*.debug=true"); info and up show.
Q_DECLARE_LOGGING_CATEGORY(lcLedger)
Q_DECLARE_LOGGING_CATEGORY(lcPricing)
Q_DECLARE_LOGGING_CATEGORY(lcImport)
Q_DECLARE_LOGGING_CATEGORY(lcQuery)
Q_DECLARE_LOGGING_CATEGORY(lcProxy)
Q_DECLARE_LOGGING_CATEGORY(lcTokenizer)
Q_DECLARE_LOGGING_CATEGORY(lcSecrets)
Q_DECLARE_LOGGING_CATEGORY(lcSimulate)
