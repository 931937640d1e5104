#include "CostCalculatorWidget.h"

#include "common/Money.h"
#include "pricing/Pricer.h"
#include "tokenizer/ChatTokenCounter.h"
#include "tokenizer/Tokenizers.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::StringLiterals;

namespace tl {

CostCalculatorWidget::CostCalculatorWidget(std::function<std::shared_ptr<const Pricer>()> pricer,
                                           std::shared_ptr<const tokenizer::Tokenizers> tokenizers, QWidget *parent)
    : QWidget(parent)
    , m_pricer(std::move(pricer))
    , m_tokenizers(std::move(tokenizers))
{
    setObjectName(u"costCalculator"_s);
    m_prompt = new QPlainTextEdit(this);
    m_prompt->setObjectName(u"promptEdit"_s);
    m_prompt->setPlaceholderText(tr("Paste a prompt to count its tokens"));
    m_model = new QComboBox(this);
    m_model->setObjectName(u"modelCombo"_s);
    m_model->setEditable(true);
    m_model->setInsertPolicy(QComboBox::NoInsert);
    m_asChat = new QCheckBox(tr("Count as one chat message (adds the per-message overhead)"), this);
    m_asChat->setObjectName(u"asChatCheck"_s);
    m_asChat->setChecked(true);
    m_completion = new QSpinBox(this);
    m_completion->setObjectName(u"completionSpin"_s);
    m_completion->setRange(0, 10'000'000);
    m_completion->setValue(500);
    m_completion->setSuffix(tr(" tokens"));
    m_tokens = new QLabel(this);
    m_tokens->setObjectName(u"tokensLabel"_s);
    m_tokens->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_cost = new QLabel(this);
    m_cost->setObjectName(u"costLabel"_s);
    m_cost->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_note = new QLabel(this);
    m_note->setObjectName(u"noteLabel"_s);
    m_note->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Model:"), m_model);
    form->addRow(QString(), m_asChat);
    form->addRow(tr("Expected completion:"), m_completion);
    form->addRow(tr("Prompt tokens:"), m_tokens);
    form->addRow(tr("Cost of one call:"), m_cost);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_prompt, 1);
    layout->addLayout(form);
    layout->addWidget(m_note);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(200);
    connect(m_debounce, &QTimer::timeout, this, &CostCalculatorWidget::recalculate);
    connect(m_prompt, &QPlainTextEdit::textChanged, this, &CostCalculatorWidget::scheduleRecalculation);
    connect(m_model, &QComboBox::currentTextChanged, this, &CostCalculatorWidget::scheduleRecalculation);
    connect(m_asChat, &QCheckBox::toggled, this, &CostCalculatorWidget::scheduleRecalculation);
    connect(m_completion, &QSpinBox::valueChanged, this, &CostCalculatorWidget::scheduleRecalculation);
    fillModels();
    recalculate();
}

void CostCalculatorWidget::fillModels()
{
    // The models people most often price; any other name can be typed in.
    QStringList models;
    if (const auto pricer = m_pricer ? m_pricer() : nullptr) {
        for (const char *providerId : {"openai", "anthropic", "google"}) {
            if (const ProviderEntry *p = pricer->book().provider(QString::fromLatin1(providerId))) {
                for (const ModelEntry &m : p->models) {
                    if (!m.deprecated)
                        models << m.id;
                }
            }
        }
    }
    if (models.isEmpty())
        models = {u"gpt-4o"_s, u"gpt-4o-mini"_s, u"gpt-4.1"_s, u"gpt-5"_s, u"o3"_s, u"gpt-4"_s};
    m_model->addItems(models);
    const int gpt4o = m_model->findText(u"gpt-4o"_s);
    m_model->setCurrentIndex(gpt4o >= 0 ? gpt4o : 0);
}

void CostCalculatorWidget::setPrompt(const QString &text)
{
    m_prompt->setPlainText(text);
}

void CostCalculatorWidget::setModel(const QString &model)
{
    m_model->setCurrentText(model);
}

void CostCalculatorWidget::scheduleRecalculation()
{
    m_debounce->start();
}

void CostCalculatorWidget::recalculate()
{
    m_debounce->stop();
    const QString model = m_model->currentText().trimmed();
    QStringList notes;
    auto counter = tokenizer::ChatTokenCounter::forModel(*m_tokenizers, model);
    if (!counter) {
        m_promptTokens = 0;
        m_tokens->setText(tr("unavailable"));
        m_cost->setText(QString());
        m_note->setText(counter.error().message);
        Q_EMIT recalculated();
        return;
    }
    const QString text = m_prompt->toPlainText();
    bool estimate = false;
    if (m_asChat->isChecked()) {
        const QJsonArray messages {QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, text}}};
        const tokenizer::ChatTokenCount c = counter->countMessages(messages);
        m_promptTokens = c.promptTokens;
        estimate = c.estimate;
        if (estimate)
            notes << tr("Token count is an estimate: this model's tokenizer is not public (counted with %1).")
                         .arg(c.encoding);
    } else {
        const tokenizer::ModelEncoding how = tokenizer::encodingForModel(model);
        m_promptTokens = counter->countText(text);
        estimate = !how.exact;
        if (estimate)
            notes << tr("Token count is an estimate: this model's tokenizer is not public (counted with %1).")
                         .arg(counter->encoding().name());
    }
    // A model whose tokenizer is not public: scale by the factor learnt from the proxy's calls, and say so.
    if (!tokenizer::encodingForModel(model).exact) {
        const tokenizer::EstimateCalibration &calibration = m_tokenizers->calibration();
        if (const auto f = calibration.forModel(model)) {
            m_promptTokens = qint64(std::llround(double(m_promptTokens) * f->factor));
            m_calibrationSamples = f->samples;
            m_tokens->setText(tr("~%L1 (estimate, calibrated from %n call(s))", "", f->samples).arg(m_promptTokens));
            notes << tr("Calibrated: x%1, the provider's summed prompt tokens over ours for %n recorded call(s) "
                        "(per-call ratio %2 to %3, standard deviation %4).",
                        "", f->samples)
                         .arg(f->factor, 0, 'f', 3)
                         .arg(f->ratioMin, 0, 'f', 3)
                         .arg(f->ratioMax, 0, 'f', 3)
                         .arg(f->ratioStdDev, 0, 'f', 3);
        } else {
            m_calibrationSamples = 0;
            m_tokens->setText(tr("~%L1 (estimate, uncalibrated)").arg(m_promptTokens));
            notes << tr("Uncalibrated: %n call(s) of this model with the provider's count so far; a factor needs "
                        "%1 (the proxy counts a sample of its calls).",
                        "", calibration.samplesForModel(model))
                         .arg(calibration.minSamples());
        }
    } else {
        m_calibrationSamples = 0;
        m_tokens->setText(estimate ? tr("~%L1 (estimate)").arg(m_promptTokens) : tr("%L1").arg(m_promptTokens));
    }

    const auto pricer = m_pricer ? m_pricer() : nullptr;
    Usage usage;
    usage.promptTokens = m_promptTokens;
    usage.completionTokens = m_completion->value();
    const CostResult cost = pricer
        ? pricer->price(QString(), model, usage, QDateTime::currentMSecsSinceEpoch() * 1000, false)
        : CostResult {};
    if (cost.cost) {
        m_cost->setText(cost.status == CostStatus::Estimated ? tr("~%1 (estimate)").arg(formatUsd(*cost.cost, 4))
                                                             : formatUsd(*cost.cost, 4));
        if (!cost.priceVersion.isEmpty())
            notes << tr("Prices: %1 (%2).").arg(cost.priceEntry, cost.priceVersion);
    } else {
        m_cost->setText(tr("unpriced"));
        notes << tr("No price is known for \"%1\": add an override on this page to price it.").arg(model);
    }
    if (!cost.note.isEmpty())
        notes << cost.note;
    m_note->setText(notes.join(u' '));
    Q_EMIT recalculated();
}

} // namespace tl
