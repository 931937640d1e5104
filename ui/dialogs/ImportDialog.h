#pragma once

#include "importer/Importer.h"

#include <QDialog>
#include <QFuture>
#include <QHash>

#include <atomic>
#include <memory>

class QComboBox;
class QDialogButtonBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTimer;

namespace tl {

class Ledger;
class Prompter;

// File ▸ Import…: choose a file and its format (CSV, JSONL, OpenAI usage/costs, Anthropic usage/cost
// reports); for CSV, map record fields to the file's columns and give constant fields (endpoint,
// model, provider) and the time zone of timestamps without an offset. Runs tl::importFile on a
// QtConcurrent worker, with a progress bar fed from atomics polled every 100 ms, a Cancel that stops
// at the next row (records already handed over stay imported), and a summary at the end.
// Thread affinity: GUI thread; the import itself runs on the global thread pool.
class ImportDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportDialog)

public:
    ImportDialog(Ledger &ledger, Prompter &prompter, QWidget *parent = nullptr);
    ~ImportDialog() override; // cancels and waits for a running import

    void setFile(const QString &path);             // also guesses the format and the CSV mapping
    void setFormat(ImportFormat format);
    void setColumn(const QString &field, const QString &column); // "" = not mapped
    void setConstant(const QString &field, const QString &value); // "endpoint", "model", "provider"
    void setTimeZone(const QString &zoneId);                      // "UTC", IANA id
    void setCallerSalt(const QByteArray &salt);                   // ImportOptions::callerSalt
    ImportOptions options() const;

    void start();
    bool isRunning() const { return m_running; }
    QString summaryText() const;
    std::optional<ImportReport> report() const { return m_report; }

    // CSV fields offered in the mapping, in display order.
    static QStringList mappedFields();

Q_SIGNALS:
    void importFinished(const tl::ImportReport &report);
    void importFailed(const QString &message);

public Q_SLOTS:
    void reject() override;

private:
    struct Shared
    {
        std::atomic<qint64> bytesRead{0};
        std::atomic<qint64> totalBytes{0};
        std::atomic<qint64> rows{0};
        std::atomic<bool> cancel{false};
    };

    void browse();
    void updateFormatUi();
    void loadHeader();
    void pollProgress();
    void finish(const Result<ImportReport> &result);
    QString fieldLabel(const QString &field) const;

    Ledger &m_ledger;
    Prompter &m_prompter;
    std::shared_ptr<Shared> m_shared;
    QFuture<Result<ImportReport>> m_work; // the worker itself (never its GUI-thread continuation)
    bool m_running = false;
    QByteArray m_callerSalt;
    std::optional<ImportReport> m_report;

    QLineEdit *m_file;
    QComboBox *m_format;
    QGroupBox *m_csvGroup;
    QHash<QString, QComboBox *> m_columns;
    QLineEdit *m_endpoint;
    QLineEdit *m_model;
    QLineEdit *m_provider;
    QComboBox *m_zone;
    QProgressBar *m_progress;
    QLabel *m_status;
    QPlainTextEdit *m_summary;
    QPushButton *m_start;
    QDialogButtonBox *m_buttons;
    QTimer *m_poll;
};

} // namespace tl
