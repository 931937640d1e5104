#include "Logging.h"

Q_LOGGING_CATEGORY(lcLedger, "tokenledger.ledger", QtInfoMsg)
Q_LOGGING_CATEGORY(lcPricing, "tokenledger.pricing", QtInfoMsg)
Q_LOGGING_CATEGORY(lcImport, "tokenledger.import", QtInfoMsg)
Q_LOGGING_CATEGORY(lcQuery, "tokenledger.query", QtInfoMsg)
Q_LOGGING_CATEGORY(lcProxy, "tokenledger.proxy", QtInfoMsg)
Q_LOGGING_CATEGORY(lcTokenizer, "tokenledger.tokenizer", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSecrets, "tokenledger.secrets", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSimulate, "tokenledger.simulate", QtInfoMsg)
