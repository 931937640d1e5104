#include "RecordDetailsDialog.h"

#include "common/Format.h"
#include "ledger/RecordCodec.h"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTimeZone>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
QPlainTextEdit *monospaceText(const QString &text, const QString &objectName, QWidget *parent)
{
    auto *edit = new QPlainTextEdit(text, parent);
    edit->setObjectName(objectName);
    edit->setReadOnly(true);
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return edit;
}
} // namespace

RecordDetailsDialog::RecordDetailsDialog(const CallRecord &r, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"proxyRecordDetails"_s);
    setWindowTitle(r.id > 0 ? tr("Request record %1").arg(r.id) : tr("Request record"));
    setSizeGripEnabled(true);
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    const auto ms = [](qint64 us) { return Format::latency(us); };
    addRow(form, u"time"_s, tr("Time"),
           QDateTime::fromMSecsSinceEpoch(r.startedAtUs / 1000, QTimeZone::systemTimeZone())
               .toString(u"yyyy-MM-dd HH:mm:ss.zzz t"_s));
    addRow(form, u"path"_s, tr("Path"), r.requestPath.isEmpty() ? tr("(not known)") : r.requestPath);
    addRow(form, u"endpoint"_s, tr("Endpoint"),
           r.tags.isEmpty() ? r.endpoint : tr("%1 (tags: %2)").arg(r.endpoint, r.tags.join(u", "_s)));
    addRow(form, u"upstream"_s, tr("Provider"), r.provider.isEmpty() ? tr("(none)") : r.provider);
    QString model = r.requestedModel.isEmpty() ? tr("(none)") : r.requestedModel;
    if (!r.servedModel.isEmpty() && r.servedModel != r.requestedModel)
        model = tr("%1, served as %2").arg(model, r.servedModel);
    addRow(form, u"model"_s, tr("Model"), model);
    addRow(form, u"status"_s, tr("HTTP status"), r.httpStatus > 0 ? QString::number(r.httpStatus) : tr("(not known)"));
    addRow(form, u"error"_s, tr("Error"), r.errorKind.isEmpty() ? tr("none") : r.errorKind);

    QString tokens;
    if (r.usageStatus == UsageStatus::Unknown) {
        tokens = tr("unknown (the answer gave no usage)");
    } else if (r.usageStatus == UsageStatus::Pending) {
        tokens = tr("pending: a background response; its usage comes with the first retrieve through the proxy "
                    "that finds it finished");
    } else {
        QStringList prompt;
        if (r.usage.cachedTokens > 0)
            prompt << tr("%1 cache read").arg(Format::count(r.usage.cachedTokens));
        if (const qint64 writes = r.usage.cacheWrite5mTokens + r.usage.cacheWrite1hTokens; writes > 0)
            prompt << tr("%1 cache write").arg(Format::count(writes));
        tokens = tr("prompt %1").arg(Format::count(r.usage.promptTokens));
        if (!prompt.isEmpty())
            tokens += u" ("_s + prompt.join(u", "_s) + u')';
        tokens += u", "_s + tr("completion %1").arg(Format::count(r.usage.completionTokens));
        if (r.usage.reasoningTokens > 0)
            tokens += u" ("_s + tr("%1 reasoning").arg(Format::count(r.usage.reasoningTokens)) + u')';
        if (r.usageStatus == UsageStatus::Estimated)
            tokens += u"; "_s + tr("estimated locally");
        else if (r.usageStatus == UsageStatus::Incomplete)
            tokens += u"; "_s + tr("incomplete (the answer ended early)");
    }
    addRow(form, u"tokens"_s, tr("Tokens"), tokens);

    QString cost;
    if (!r.cost && r.usageStatus == UsageStatus::Pending) {
        cost = tr("pending (priced when the usage comes)");
    } else if (!r.cost) {
        cost = tr("unpriced (no price for this model)");
    } else {
        cost = formatUsd(*r.cost, 6);
        if (r.costStatus == CostStatus::Estimated)
            cost += u" "_s + tr("(estimated)");
        if (!r.priceEntry.isEmpty())
            cost += u"; "_s + tr("price %1, %2").arg(r.priceEntry, r.priceVersion);
    }
    if (r.savedCost > 0)
        cost += u"; "_s + tr("saved %1").arg(formatUsd(r.savedCost, 6));
    addRow(form, u"cost"_s, tr("Cost"), cost);

    QString cache;
    switch (r.cacheOutcome) {
    case CacheOutcome::ExactHit: cache = tr("exact-cache hit"); break;
    case CacheOutcome::SemanticHit: cache = tr("semantic-cache hit, similarity %1").arg(r.similarity, 0, 'f', 3); break;
    case CacheOutcome::Miss: cache = tr("miss (answered by the provider and stored)"); break;
    case CacheOutcome::Bypass: cache = tr("bypassed (the client asked for no cache)"); break;
    case CacheOutcome::None: cache = tr("not used"); break;
    }
    addRow(form, u"cache"_s, tr("Cache"), cache);
    QString latency = ms(r.latencyUs);
    if (r.ttftUs >= 0)
        latency += u"; "_s + tr("first token after %1").arg(ms(r.ttftUs));
    addRow(form, u"latency"_s, tr("Latency"), latency);
    addRow(form, u"id"_s, tr("Record id"), r.id > 0 ? QString::number(r.id) : tr("(not stored yet)"));
    layout->addLayout(form);

    QJsonObject json = RecordCodec::toJson(r);
    if (!r.requestPath.isEmpty())
        json.insert("request_path"_L1, r.requestPath);
    m_json = QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented));
    auto *tabs = new QTabWidget(this);
    tabs->setObjectName(u"recordDetailTabs"_s);
    tabs->addTab(monospaceText(m_json, u"recordDetailJson"_s, tabs), tr("JSON"));
    if (!r.text.request.isEmpty())
        tabs->addTab(monospaceText(QString::fromUtf8(r.text.request), u"recordDetailRequest"_s, tabs), tr("Request body"));
    if (!r.text.response.isEmpty())
        tabs->addTab(monospaceText(QString::fromUtf8(r.text.response), u"recordDetailResponse"_s, tabs), tr("Response body"));
    layout->addWidget(tabs, 1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *copy = buttons->addButton(tr("Copy JSON"), QDialogButtonBox::ActionRole);
    copy->setObjectName(u"recordDetailCopy"_s);
    connect(copy, &QPushButton::clicked, this, [this]() { QApplication::clipboard()->setText(m_json); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(760, 620);
}

void RecordDetailsDialog::addRow(QFormLayout *form, const QString &field, const QString &label, const QString &value)
{
    auto *text = new QLabel(value, this);
    text->setObjectName(u"recordDetail_"_s + field);
    text->setTextFormat(Qt::PlainText);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    text->setWordWrap(true);
    form->addRow(label, text);
}

} // namespace tl
