#include "ImportDialog.h"

#include "common/CsvText.h"
#include "common/Format.h"
#include "common/Prompter.h"
#include "ledger/Ledger.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QTimeZone>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
// Header names (lower case) that suggest a field, for a first guess of the mapping.
const QHash<QString, QStringList> &synonyms()
{
    static const QHash<QString, QStringList> s = {
        {u"started_at"_s, {u"started_at"_s, u"timestamp"_s, u"time"_s, u"date"_s, u"created_at"_s, u"datetime"_s}},
        {u"endpoint"_s, {u"endpoint"_s, u"feature"_s}},
        {u"provider"_s, {u"provider"_s, u"vendor"_s}},
        {u"model"_s, {u"model"_s, u"served_model"_s, u"model_name"_s}},
        {u"prompt_tokens"_s, {u"prompt_tokens"_s, u"contexttokens"_s, u"input_tokens"_s, u"prompt"_s}},
        {u"cached_tokens"_s, {u"cached_tokens"_s, u"cache_read_input_tokens"_s, u"cached_input_tokens"_s}},
        {u"completion_tokens"_s, {u"completion_tokens"_s, u"generatedtokens"_s, u"output_tokens"_s}},
        {u"reasoning_tokens"_s, {u"reasoning_tokens"_s}},
        {u"latency_ms"_s, {u"latency_ms"_s, u"latency"_s, u"duration_ms"_s}},
        {u"http_status"_s, {u"http_status"_s, u"status"_s, u"status_code"_s}},
        {u"cost_usd"_s, {u"cost_usd"_s, u"cost"_s}},
    };
    return s;
}
} // namespace

QStringList ImportDialog::mappedFields()
{
    return {u"started_at"_s, u"endpoint"_s, u"provider"_s, u"model"_s, u"prompt_tokens"_s, u"cached_tokens"_s,
            u"completion_tokens"_s, u"reasoning_tokens"_s, u"latency_ms"_s, u"http_status"_s, u"cost_usd"_s};
}

QString ImportDialog::fieldLabel(const QString &field) const
{
    if (field == u"started_at") return tr("Started at (timestamp):");
    if (field == u"endpoint") return tr("Endpoint:");
    if (field == u"provider") return tr("Provider:");
    if (field == u"model") return tr("Model:");
    if (field == u"prompt_tokens") return tr("Prompt tokens:");
    if (field == u"cached_tokens") return tr("Cached input tokens:");
    if (field == u"completion_tokens") return tr("Completion tokens:");
    if (field == u"reasoning_tokens") return tr("Reasoning tokens:");
    if (field == u"latency_ms") return tr("Latency (ms):");
    if (field == u"http_status") return tr("HTTP status:");
    if (field == u"cost_usd") return tr("Known cost (USD):");
    return field;
}

ImportDialog::ImportDialog(Ledger &ledger, Prompter &prompter, QWidget *parent)
    : QDialog(parent)
    , m_ledger(ledger)
    , m_prompter(prompter)
    , m_shared(std::make_shared<Shared>())
    , m_poll(new QTimer(this))
{
    setObjectName(u"importDialog"_s);
    setWindowTitle(tr("Import calls"));

    m_file = new QLineEdit(this);
    m_file->setObjectName(u"importFile"_s);
    m_file->setPlaceholderText(tr("Choose a file…"));
    auto *browse = new QPushButton(tr("&Browse…"), this);
    browse->setObjectName(u"importBrowse"_s);
    connect(browse, &QPushButton::clicked, this, &ImportDialog::browse);
    connect(m_file, &QLineEdit::editingFinished, this, &ImportDialog::loadHeader);
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(browse);

    m_format = new QComboBox(this);
    m_format->setObjectName(u"importFormat"_s);
    m_format->addItem(tr("CSV (any spreadsheet, with a column mapping)"), toString(ImportFormat::Csv));
    m_format->addItem(tr("JSONL (TokenLedger's own export format)"), toString(ImportFormat::Jsonl));
    m_format->addItem(tr("OpenAI usage (Admin API, completions, JSON)"), toString(ImportFormat::OpenAiUsage));
    m_format->addItem(tr("OpenAI usage (Admin API, embeddings, JSON)"), toString(ImportFormat::OpenAiEmbeddingsUsage));
    m_format->addItem(tr("OpenAI costs (Admin API, JSON)"), toString(ImportFormat::OpenAiCosts));
    m_format->addItem(tr("Anthropic usage report (Admin API, JSON)"), toString(ImportFormat::AnthropicUsage));
    m_format->addItem(tr("Anthropic cost report (Admin API, JSON)"), toString(ImportFormat::AnthropicCost));
    connect(m_format, &QComboBox::currentIndexChanged, this, &ImportDialog::updateFormatUi);

    auto *top = new QFormLayout;
    top->addRow(tr("&File:"), fileRow);
    top->addRow(tr("F&ormat:"), m_format);

    m_csvGroup = new QGroupBox(tr("CSV columns"), this);
    m_csvGroup->setObjectName(u"importCsvGroup"_s);
    auto *mapping = new QFormLayout;
    for (const QString &field : mappedFields()) {
        auto *box = new QComboBox(m_csvGroup);
        box->setObjectName(u"importColumn_"_s + field);
        box->addItem(tr("(not in the file)"), QString());
        m_columns.insert(field, box);
        mapping->addRow(fieldLabel(field), box);
    }
    auto *constants = new QFormLayout;
    m_endpoint = new QLineEdit(m_csvGroup);
    m_endpoint->setObjectName(u"importConstEndpoint"_s);
    m_endpoint->setPlaceholderText(tr("e.g. chat"));
    m_model = new QLineEdit(m_csvGroup);
    m_model->setObjectName(u"importConstModel"_s);
    m_model->setPlaceholderText(tr("e.g. gpt-4o-2024-08-06"));
    m_provider = new QLineEdit(m_csvGroup);
    m_provider->setObjectName(u"importConstProvider"_s);
    m_provider->setPlaceholderText(tr("e.g. openai"));
    m_zone = new QComboBox(m_csvGroup);
    m_zone->setObjectName(u"importTimeZone"_s);
    m_zone->addItem(u"UTC"_s, u"UTC"_s);
    m_zone->addItem(tr("System (%1)").arg(QString::fromUtf8(QTimeZone::systemTimeZoneId())),
                    QString::fromUtf8(QTimeZone::systemTimeZoneId()));
    for (const QByteArray &id : QTimeZone::availableTimeZoneIds())
        m_zone->addItem(QString::fromUtf8(id), QString::fromUtf8(id));
    auto *constantsNote = new QLabel(tr("Same value for every row (used where no column is mapped):"), m_csvGroup);
    constantsNote->setWordWrap(true);
    constants->addRow(constantsNote);
    constants->addRow(tr("&Endpoint:"), m_endpoint);
    constants->addRow(tr("&Model:"), m_model);
    constants->addRow(tr("&Provider:"), m_provider);
    constants->addRow(tr("&Time zone of timestamps:"), m_zone);
    auto *csvLayout = new QHBoxLayout(m_csvGroup);
    csvLayout->addLayout(mapping, 1);
    csvLayout->addSpacing(12);
    csvLayout->addLayout(constants, 1);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(u"importProgress"_s);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_status = new QLabel(this);
    m_status->setObjectName(u"importStatus"_s);
    m_status->setWordWrap(true);
    m_summary = new QPlainTextEdit(this);
    m_summary->setObjectName(u"importSummary"_s);
    m_summary->setReadOnly(true);
    m_summary->setVisible(false);
    m_summary->setMinimumHeight(120);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_start = m_buttons->addButton(tr("&Import"), QDialogButtonBox::AcceptRole);
    m_start->setObjectName(u"importStart"_s);
    m_start->setDefault(true);
    m_buttons->button(QDialogButtonBox::Close)->setObjectName(u"importClose"_s);
    connect(m_start, &QPushButton::clicked, this, &ImportDialog::start);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ImportDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_csvGroup);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_summary, 1);
    layout->addWidget(m_buttons);

    m_poll->setInterval(100);
    connect(m_poll, &QTimer::timeout, this, &ImportDialog::pollProgress);
    updateFormatUi();
}

ImportDialog::~ImportDialog()
{
    m_shared->cancel = true;
    m_work.waitForFinished(); // returns at the importer's next progress call
}

void ImportDialog::browse()
{
    const QString path = m_prompter.openFileName(
        this, tr("Import calls"),
        tr("Usage files (*.csv *.jsonl *.json);;CSV (*.csv);;JSON Lines (*.jsonl);;JSON (*.json);;All files (*)"));
    if (!path.isEmpty())
        setFile(path);
}

void ImportDialog::setFile(const QString &path)
{
    m_file->setText(path);
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"csv")
        setFormat(ImportFormat::Csv);
    else if (suffix == u"jsonl")
        setFormat(ImportFormat::Jsonl);
    loadHeader();
}

void ImportDialog::setFormat(ImportFormat format)
{
    m_format->setCurrentIndex(std::max(0, m_format->findData(toString(format))));
}

void ImportDialog::setColumn(const QString &field, const QString &column)
{
    if (QComboBox *box = m_columns.value(field)) {
        int i = box->findData(column);
        if (i < 0 && !column.isEmpty()) {
            box->addItem(column, column);
            i = box->count() - 1;
        }
        box->setCurrentIndex(std::max(0, i));
    }
}

void ImportDialog::setConstant(const QString &field, const QString &value)
{
    if (field == u"endpoint")
        m_endpoint->setText(value);
    else if (field == u"model")
        m_model->setText(value);
    else if (field == u"provider")
        m_provider->setText(value);
}

void ImportDialog::setTimeZone(const QString &zoneId)
{
    m_zone->setCurrentIndex(std::max(0, m_zone->findData(zoneId)));
}

void ImportDialog::updateFormatUi()
{
    m_csvGroup->setVisible(m_format->currentData().toString() == toString(ImportFormat::Csv));
    adjustSize();
}

void ImportDialog::loadHeader()
{
    if (m_format->currentData().toString() != toString(ImportFormat::Csv))
        return;
    const QStringList header = CsvText::header(m_file->text());
    if (header.isEmpty()) {
        m_status->setText(m_file->text().isEmpty() ? QString() : tr("Cannot read a CSV header from this file."));
        return;
    }
    m_status->setText(tr("Columns found: %1").arg(header.join(u", "_s)));
    for (auto it = m_columns.begin(); it != m_columns.end(); ++it) {
        QComboBox *box = it.value();
        box->clear();
        box->addItem(tr("(not in the file)"), QString());
        for (const QString &column : header)
            box->addItem(column, column);
        const QStringList &guesses = synonyms().value(it.key());
        for (const QString &column : header) {
            if (guesses.contains(column.toLower())) {
                box->setCurrentIndex(box->findData(column));
                break;
            }
        }
    }
}

void ImportDialog::setCallerSalt(const QByteArray &salt)
{
    m_callerSalt = salt;
}

ImportOptions ImportDialog::options() const
{
    ImportOptions o;
    o.callerSalt = m_callerSalt;
    o.format = importFormatFromString(m_format->currentData().toString()).value_or(ImportFormat::Csv);
    if (o.format != ImportFormat::Csv)
        return o;
    for (auto it = m_columns.begin(); it != m_columns.end(); ++it) {
        const QString column = it.value()->currentData().toString();
        if (!column.isEmpty())
            o.columns.insert(it.key(), column);
    }
    auto constant = [&o](const QString &field, QLineEdit *edit) {
        const QString v = edit->text().trimmed();
        if (!v.isEmpty() && !o.columns.contains(field))
            o.constants.insert(field, v);
    };
    constant(u"endpoint"_s, m_endpoint);
    constant(u"model"_s, m_model);
    constant(u"provider"_s, m_provider);
    const QTimeZone zone(m_zone->currentData().toString().toUtf8());
    o.defaultZone = zone.isValid() ? zone : QTimeZone::utc();
    return o;
}

void ImportDialog::start()
{
    if (m_running)
        return;
    const QString path = m_file->text().trimmed();
    if (path.isEmpty() || !QFileInfo(path).isFile()) {
        m_status->setText(path.isEmpty() ? tr("Choose a file to import.") : tr("There is no file %1.").arg(path));
        return;
    }
    m_shared = std::make_shared<Shared>();
    m_running = true;
    m_report.reset();
    m_summary->clear();
    m_summary->setVisible(false);
    m_start->setEnabled(false);
    m_buttons->button(QDialogButtonBox::Close)->setText(tr("Cancel"));
    m_status->setText(tr("Importing %1…").arg(QFileInfo(path).fileName()));
    m_progress->setValue(0);
    m_poll->start();

    const ImportOptions opts = options();
    std::shared_ptr<Shared> shared = m_shared;
    Ledger *ledger = &m_ledger;
    m_work = QtConcurrent::run([ledger, path, opts, shared]() -> Result<ImportReport> {
        return importFile(*ledger, path, opts, [shared](const ImportProgress &p) {
            shared->bytesRead = p.bytesRead;
            shared->totalBytes = p.totalBytes;
            shared->rows = p.rowsRead;
            return !shared->cancel.load();
        });
    });
    m_work.then(this, [this](Result<ImportReport> result) { finish(result); });
}

void ImportDialog::pollProgress()
{
    const qint64 total = m_shared->totalBytes;
    if (total > 0)
        m_progress->setValue(int(std::min<qint64>(1000, m_shared->bytesRead * 1000 / total)));
    m_status->setText(tr("Importing… %1 rows read").arg(Format::count(m_shared->rows)));
}

void ImportDialog::finish(const Result<ImportReport> &result)
{
    m_poll->stop();
    m_running = false;
    m_start->setEnabled(true);
    m_buttons->button(QDialogButtonBox::Close)->setText(tr("Close"));
    if (!result) {
        m_progress->setValue(0);
        m_status->setText(tr("Import failed: %1").arg(result.error().message));
        Q_EMIT importFailed(result.error().message);
    } else {
        m_report = *result;
        m_progress->setValue(result->cancelled ? m_progress->value() : 1000);
        m_status->setText(result->cancelled ? tr("Import cancelled. Records read before the cancel are kept.")
                                            : tr("Import finished."));
        m_summary->setPlainText(summaryText());
        m_summary->setVisible(true);
        Q_EMIT importFinished(*result);
    }
}

QString ImportDialog::summaryText() const
{
    if (!m_report)
        return {};
    const ImportReport &r = *m_report;
    QStringList lines;
    lines << tr("Rows read: %1").arg(Format::count(r.rowsRead));
    lines << tr("Imported: %1").arg(Format::count(r.imported));
    lines << tr("Duplicates (already in the ledger): %1").arg(Format::count(r.duplicates));
    lines << tr("Skipped: %1").arg(Format::count(r.skipped));
    lines << tr("Cost imported: %1").arg(Format::usd(r.costImported));
    if (r.unpriced > 0)
        lines << tr("Without a price (unpriced): %1 — add a price on the Pricing page").arg(Format::count(r.unpriced));
    if (r.keysHashed > 0)
        lines << tr("Key ids that were API keys: %1 — stored as their salted hash (k_…), the id the proxy gives "
                    "that key, never the key")
                     .arg(Format::count(r.keysHashed));
    if (r.labelsRedacted > 0)
        lines << tr("Labels that looked like API keys: %1 — stored as \"redacted\"").arg(Format::count(r.labelsRedacted));
    if (!r.errors.isEmpty()) {
        lines << QString() << tr("Skipped rows:");
        for (qsizetype i = 0; i < std::min<qsizetype>(r.errors.size(), 50); ++i) {
            const ImportRowError &e = r.errors.at(i);
            lines << tr("%1, line %2: %3").arg(QFileInfo(e.file).fileName()).arg(e.line).arg(e.reason);
        }
        if (r.errors.size() > 50)
            lines << tr("… and %n more", nullptr, int(r.errors.size() - 50));
    }
    return lines.join(u'\n');
}

void ImportDialog::reject()
{
    if (m_running) {
        m_shared->cancel = true;
        m_status->setText(tr("Cancelling…"));
        return; // finish() runs when the importer stops; the dialog stays to show what was kept
    }
    QDialog::reject();
}

} // namespace tl
