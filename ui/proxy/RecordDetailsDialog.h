#pragma once

#include "ledger/CallRecord.h"

#include <QDialog>

class QFormLayout;
class QLabel;
class QPlainTextEdit;

namespace tl {

// One request of the Proxy page's live log, readable: path, endpoint, upstream and model, HTTP status and
// error, tokens (prompt with its cached and cache-write parts, completion with its reasoning part, and
// whether the provider gave them or they are estimated), cost (nano-USD shown as USD, with the price entry
// and version; "unpriced" when no price matched, never $0; a cache hit shows what it saved), cache outcome,
// latency and time to first token; below it the record's JSON (RecordCodec form plus "request_path") with
// a Copy button, and the kept request and response text when the endpoint stores text. Resizable; opened
// without blocking the page. Every value label has the objectName "recordDetail_<field>"
// (path, endpoint, upstream, model, status, error, tokens, cost, cache, latency, time, id).
// Thread affinity: GUI thread.
class RecordDetailsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RecordDetailsDialog)

public:
    explicit RecordDetailsDialog(const CallRecord &record, QWidget *parent = nullptr);

    // The JSON shown (and copied): indented, UTF-8.
    QString json() const { return m_json; }

private:
    void addRow(QFormLayout *form, const QString &field, const QString &label, const QString &value);

    QString m_json;
};

} // namespace tl
