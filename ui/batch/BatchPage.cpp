#include "BatchPage.h"

#include "BatchJobModel.h"
#include "batch/BatchService.h"
#include "common/Prompter.h"
#include "ledger/Ledger.h"
#include "tokenizer/Tokenizers.h"

#include <QComboBox>
#include <QCoroTask>
#include <QDateTime>
#include <QFile>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tl {

BatchPage::BatchPage(BatchService &service, Ledger &ledger, std::shared_ptr<const tokenizer::Tokenizers> tokenizers,
                     std::shared_ptr<Prompter> prompter, QWidget *parent)
    : QWidget(parent), m_service(service), m_ledger(ledger), m_tokenizers(std::move(tokenizers)), m_prompter(std::move(prompter))
{
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    auto *fileRow = new QHBoxLayout;
    m_file = new QLineEdit(this);
    m_file->setObjectName(u"batchInputFile"_s);
    m_file->setPlaceholderText(tr("Batch JSONL, CSV or text file"));
    auto *browseButton = new QPushButton(tr("&Browse…"), this);
    browseButton->setObjectName(u"batchBrowse"_s);
    fileRow->addWidget(m_file);
    fileRow->addWidget(browseButton);
    form->addRow(tr("Input:"), fileRow);
    m_provider = new QComboBox(this);
    m_provider->setObjectName(u"batchProvider"_s);
    m_provider->addItem(tr("OpenAI Batch API"), int(BatchProvider::OpenAi));
    m_provider->addItem(tr("Anthropic Message Batches"), int(BatchProvider::Anthropic));
    form->addRow(tr("Provider:"), m_provider);
    m_model = new QLineEdit(u"gpt-4o-mini"_s, this);
    m_model->setObjectName(u"batchModel"_s);
    form->addRow(tr("Model (CSV/text):"), m_model);
    m_system = new QPlainTextEdit(this);
    m_system->setObjectName(u"batchSystemPrompt"_s);
    m_system->setPlaceholderText(tr("System prompt (optional)"));
    m_system->setMaximumHeight(60);
    form->addRow(tr("System prompt:"), m_system);
    m_template = new QLineEdit(u"{text}"_s, this);
    m_template->setObjectName(u"batchTemplate"_s);
    m_template->setToolTip(tr("{text} is the text column (cut to the character limit); {column} is any CSV column."));
    form->addRow(tr("Prompt template:"), m_template);
    m_textColumn = new QLineEdit(u"text"_s, this);
    m_textColumn->setObjectName(u"batchTextColumn"_s);
    form->addRow(tr("Text column (CSV):"), m_textColumn);
    m_maxChars = new QSpinBox(this);
    m_maxChars->setObjectName(u"batchMaxChars"_s);
    m_maxChars->setRange(1, 1'000'000);
    m_maxChars->setValue(500);
    m_maxChars->setSuffix(tr(" characters"));
    m_maxChars->setToolTip(tr("{text} gets this many characters from the start of each row's text column (or line); "
                              "the rest of a longer text is left out of the request."));
    // Session-17 look-over: "First characters: 500" did not say that every row's text is cut to it.
    form->addRow(tr("Text kept per row:"), m_maxChars);
    m_maxTokens = new QSpinBox(this);
    m_maxTokens->setObjectName(u"batchMaxTokens"_s);
    m_maxTokens->setRange(1, 200'000);
    m_maxTokens->setValue(20);
    form->addRow(tr("Max output tokens:"), m_maxTokens);
    m_endpoint = new QLineEdit(u"batch"_s, this);
    m_endpoint->setObjectName(u"batchEndpoint"_s);
    form->addRow(tr("Ledger endpoint:"), m_endpoint);
    layout->addLayout(form);

    auto *actions = new QHBoxLayout;
    auto *estimateButton = new QPushButton(tr("&Estimate"), this);
    estimateButton->setObjectName(u"batchEstimate"_s);
    m_submit = new QPushButton(tr("S&ubmit batch"), this);
    m_submit->setObjectName(u"batchSubmit"_s);
    m_submit->setEnabled(false);
    actions->addWidget(estimateButton);
    actions->addWidget(m_submit);
    actions->addStretch();
    layout->addLayout(actions);
    m_estimate = new QLabel(this);
    m_estimate->setObjectName(u"batchEstimateText"_s);
    m_estimate->setWordWrap(true);
    m_estimate->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_estimate);

    m_model2 = new BatchJobModel(this);
    auto *sorter = new QSortFilterProxyModel(this);
    sorter->setSourceModel(m_model2);
    sorter->setSortRole(BatchJobModel::SortRole);
    m_table = new QTableView(this);
    m_table->setObjectName(u"batchJobs"_s);
    m_table->setModel(sorter);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(BatchJobModel::Created, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setStretchLastSection(true);
    // Empty state: shown instead of the table until there is a job.
    auto *emptyJobs = new QLabel(tr("No batch jobs yet. Choose a JSONL file of requests, or a CSV or text file with "
                                    "a prompt template, press <b>Estimate</b> to see the cost at batch and real-time "
                                    "prices, then <b>Submit</b>. OpenAI and Anthropic bill batch jobs at half the list "
                                    "price and answer within 24 hours; jobs keep being polled across restarts, and "
                                    "each result becomes a ledger record."),
                                 this);
    emptyJobs->setObjectName(u"batchJobsEmpty"_s);
    emptyJobs->setWordWrap(true);
    emptyJobs->setAlignment(Qt::AlignCenter);
    emptyJobs->setMargin(24);
    layout->addWidget(emptyJobs, 1);
    layout->addWidget(m_table, 1);

    auto *jobActions = new QHBoxLayout;
    auto *cancelButton = new QPushButton(tr("&Cancel job"), this);
    cancelButton->setObjectName(u"batchCancel"_s);
    auto *saveButton = new QPushButton(tr("Save &results…"), this);
    saveButton->setObjectName(u"batchSaveResults"_s);
    m_status = new QLabel(this);
    m_status->setObjectName(u"batchStatus"_s);
    jobActions->addWidget(cancelButton);
    jobActions->addWidget(saveButton);
    jobActions->addWidget(m_status, 1);
    layout->addLayout(jobActions);

    connect(browseButton, &QPushButton::clicked, this, &BatchPage::browse);
    connect(estimateButton, &QPushButton::clicked, this, &BatchPage::estimate);
    connect(m_submit, &QPushButton::clicked, this, &BatchPage::submit);
    connect(cancelButton, &QPushButton::clicked, this, &BatchPage::cancelSelected);
    connect(saveButton, &QPushButton::clicked, this, &BatchPage::saveSelected);
    connect(&m_service, &BatchService::jobChanged, this, [this](const BatchJob &job) { m_model2->upsert(job); });
    // Job actions need a selected job; the table shows once there is one.
    const auto updateJobActions = [this, cancelButton, saveButton, emptyJobs] {
        const bool any = m_model2->rowCount() > 0;
        emptyJobs->setVisible(!any);
        m_table->setVisible(any);
        const bool selected = m_table->selectionModel()->hasSelection();
        cancelButton->setEnabled(selected);
        saveButton->setEnabled(selected);
    };
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, updateJobActions);
    connect(m_model2, &QAbstractItemModel::rowsInserted, this, updateJobActions);
    connect(m_model2, &QAbstractItemModel::rowsRemoved, this, updateJobActions);
    connect(m_model2, &QAbstractItemModel::modelReset, this, updateJobActions);
    updateJobActions();

    reload();
    // Jobs survive restarts: keep polling every job that has not ended.
    QCoro::connect(m_service.resumeAll(), this, [this](const Async<QList<BatchJob>> &r) {
        if (!r)
            setStatus(tr("Polling stopped: %1").arg(r.error().message));
    });
}

BatchPage::~BatchPage() = default;

void BatchPage::setStatus(const QString &text) { m_status->setText(text); }

void BatchPage::reload()
{
    QCoro::connect(m_service.jobs(), this, [this](const Async<QList<BatchJob>> &r) {
        if (r)
            m_model2->setJobs(*r);
        else
            setStatus(r.error().message);
    });
}

void BatchPage::browse()
{
    const QString path = m_prompter->openFileName(this, tr("Batch input"), tr("Batch input (*.jsonl *.csv *.txt);;All files (*)"));
    if (!path.isEmpty())
        m_file->setText(path);
}

bool BatchPage::buildRequests()
{
    QFile file(m_file->text());
    if (!file.open(QIODevice::ReadOnly)) {
        m_estimate->setText(tr("Cannot read %1: %2").arg(m_file->text(), file.errorString()));
        return false;
    }
    const QByteArray bytes = file.readAll();
    TemplateBatchSpec spec;
    spec.model = m_model->text().trimmed();
    spec.systemPrompt = m_system->toPlainText().trimmed();
    spec.promptTemplate = m_template->text();
    spec.textColumn = m_textColumn->text().trimmed();
    spec.maxChars = m_maxChars->value();
    spec.maxTokens = m_maxTokens->value();
    const QString name = m_file->text().toLower();
    Result<QList<BatchRequest>> built = name.endsWith(".jsonl"_L1) ? BatchBuilder::parseOpenAiJsonl(bytes)
                                        : name.endsWith(".csv"_L1) ? BatchBuilder::fromCsv(bytes, spec)
                                                                   : BatchBuilder::fromText(bytes, spec);
    if (!built) {
        m_estimate->setText(built.error().message);
        return false;
    }
    m_requests = *built;
    return true;
}

void BatchPage::estimate()
{
    m_submit->setEnabled(false);
    if (!buildRequests())
        return;
    const auto provider = BatchProvider(m_provider->currentData().toInt());
    const BatchEstimate e = BatchBuilder::estimate(m_requests, toString(provider), *m_tokenizers, *m_ledger.pricer(),
                                                   QDateTime::currentMSecsSinceEpoch() * 1000);
    QString text = tr("%n request(s); %1 prompt tokens, up to %2 output tokens.", nullptr, int(e.requests))
                       .arg(e.promptTokens)
                       .arg(e.outputTokensCap);
    if (e.batchCost && e.realtimeCost)
        text += u' ' + tr("Estimated cost: %1 with the Batch API, %2 at real-time prices.")
                           .arg(formatUsd(*e.batchCost), formatUsd(*e.realtimeCost));
    else
        text += u' ' + tr("Unpriced models: %1.").arg(e.unpricedModels.join(u", "_s));
    if (e.estimate)
        text += u' ' + tr("(Token counts are estimates.)");
    for (const QString &note : e.notes)
        text += u' ' + note;
    m_estimate->setText(text);
    m_submit->setEnabled(!m_requests.isEmpty());
}

void BatchPage::submit()
{
    m_submit->setEnabled(false);
    const auto provider = BatchProvider(m_provider->currentData().toInt());
    setStatus(tr("Submitting %n request(s)…", nullptr, int(m_requests.size())));
    QCoro::connect(m_service.submit(provider, m_requests, m_endpoint->text().trimmed()), this, [this](const Async<BatchJob> &r) {
        if (!r) {
            setStatus(tr("Submit failed: %1").arg(r.error().message));
            m_submit->setEnabled(true);
            return;
        }
        setStatus(tr("Batch %1 submitted.").arg(r->remoteId));
        QCoro::connect(m_service.waitForCompletion(r->id), this, [this](const Async<BatchJob> &done) {
            setStatus(done ? tr("Batch %1: %2.").arg(done->remoteId, toString(done->status))
                           : tr("Polling stopped: %1").arg(done.error().message));
        });
    });
}

void BatchPage::cancelSelected()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    auto *sorter = static_cast<QSortFilterProxyModel *>(m_table->model());
    const BatchJob *job = m_model2->job(sorter->mapToSource(rows.front()).row());
    if (!job)
        return;
    QCoro::connect(m_service.cancel(job->id), this, [this](const Async<BatchJob> &r) {
        setStatus(r ? tr("Batch %1: %2.").arg(r->remoteId, toString(r->status)) : tr("Cancel failed: %1").arg(r.error().message));
    });
}

void BatchPage::saveSelected()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    auto *sorter = static_cast<QSortFilterProxyModel *>(m_table->model());
    const BatchJob *job = m_model2->job(sorter->mapToSource(rows.front()).row());
    if (!job)
        return;
    const QString path = m_prompter->saveFileName(this, tr("Save batch results"), job->remoteId + u".jsonl"_s,
                                                  tr("JSON Lines (*.jsonl);;CSV (*.csv)"));
    if (path.isEmpty())
        return;
    QCoro::connect(m_service.results(job->id), this, [this, path](const Async<QList<BatchResult>> &r) {
        if (!r) {
            setStatus(r.error().message);
            return;
        }
        QFile out(path);
        const QByteArray bytes = path.endsWith(".csv"_L1, Qt::CaseInsensitive) ? BatchBuilder::resultsToCsv(*r)
                                                                                : BatchBuilder::resultsToJsonl(*r);
        if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate) || out.write(bytes) != bytes.size())
            setStatus(tr("Cannot write %1: %2").arg(path, out.errorString()));
        else
            setStatus(tr("%n result(s) saved to %1.", nullptr, int(r->size())).arg(path));
    });
}

} // namespace tl
