#include "Logging.h"

Q_LOGGING_CATEGORY(lcLedger, "tokenledger.ledger")
Q_LOGGING_CATEGORY(lcPricing, "tokenledger.pricing")
Q_LOGGING_CATEGORY(lcImport, "tokenledger.import")
Q_LOGGING_CATEGORY(lcQuery, "tokenledger.query")
Q_LOGGING_CATEGORY(lcProxy, "tokenledger.proxy")
Q_LOGGING_CATEGORY(lcTokenizer, "tokenledger.tokenizer")
Q_LOGGING_CATEGORY(lcSecrets, "tokenledger.secrets")
Q_LOGGING_CATEGORY(lcSimulate, "tokenledger.simulate")
