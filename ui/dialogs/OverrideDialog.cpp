#include "OverrideDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
QString priceField(const std::optional<TieredPrice> &p)
{
    return p ? toDecimalUsd(p->base) : QString();
}
} // namespace

OverrideDialog::OverrideDialog(const QStringList &providers, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"overrideDialog"_s);
    setWindowTitle(tr("Price override"));
    m_provider = new QComboBox(this);
    m_provider->setObjectName(u"overrideProvider"_s);
    m_provider->setEditable(true);
    m_provider->addItem(QString());
    m_provider->addItems(providers);
    m_provider->setToolTip(tr("Leave empty to apply to the model from any provider"));
    auto line = [this](const QString &name, const QString &placeholder) {
        auto *e = new QLineEdit(this);
        e->setObjectName(name);
        e->setPlaceholderText(placeholder);
        connect(e, &QLineEdit::textChanged, this, &OverrideDialog::validate);
        return e;
    };
    const QString notSet = tr("not set");
    m_model = line(u"overrideModel"_s, tr("exact model name, e.g. gpt-4o-2024-08-06"));
    m_input = line(u"overrideInput"_s, notSet);
    m_cacheRead = line(u"overrideCacheRead"_s, notSet);
    m_cacheWrite = line(u"overrideCacheWrite"_s, notSet);
    m_cacheWrite1h = line(u"overrideCacheWrite1h"_s, notSet);
    m_output = line(u"overrideOutput"_s, notSet);
    m_batchInput = line(u"overrideBatchInput"_s, tr("50% of input"));
    m_batchOutput = line(u"overrideBatchOutput"_s, tr("50% of output"));
    m_note = line(u"overrideNote"_s, tr("optional"));
    m_error = new QLabel(this);
    m_error->setObjectName(u"overrideError"_s);
    m_error->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("&Provider:"), m_provider);
    form->addRow(tr("&Model:"), m_model);
    form->addRow(tr("&Input (USD / MTok):"), m_input);
    form->addRow(tr("&Cached input (USD / MTok):"), m_cacheRead);
    form->addRow(tr("Cache &write, 5 min (USD / MTok):"), m_cacheWrite);
    form->addRow(tr("Cache write, &1 h (USD / MTok):"), m_cacheWrite1h);
    form->addRow(tr("&Output (USD / MTok):"), m_output);
    form->addRow(tr("&Batch input (USD / MTok):"), m_batchInput);
    form->addRow(tr("Batch o&utput (USD / MTok):"), m_batchOutput);
    form->addRow(tr("&Note:"), m_note);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Your price wins over the built-in price book for new calls. Use Re-price history "
                                "on the Pricing page to apply it to calls already in the ledger."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    validate();
}

QLineEdit *OverrideDialog::field(const QString &objectName) const
{
    return findChild<QLineEdit *>(objectName);
}

void OverrideDialog::setOverride(const PriceOverride &o)
{
    m_provider->setCurrentText(o.provider);
    m_model->setText(o.model);
    m_input->setText(priceField(o.prices.input));
    m_cacheRead->setText(priceField(o.prices.cacheRead));
    m_cacheWrite->setText(priceField(o.prices.cacheWrite));
    m_cacheWrite1h->setText(priceField(o.prices.cacheWrite1h));
    m_output->setText(priceField(o.prices.output));
    m_batchInput->setText(priceField(o.prices.batchInput));
    m_batchOutput->setText(priceField(o.prices.batchOutput));
    m_note->setText(o.note);
    validate();
}

PriceOverride OverrideDialog::result() const
{
    PriceOverride o;
    o.provider = m_provider->currentText().trimmed();
    o.model = m_model->text().trimmed();
    o.note = m_note->text().trimmed();
    auto set = [](QLineEdit *e, std::optional<TieredPrice> &out) {
        const auto v = parsePricePerMillion(e->text().trimmed());
        if (!e->text().trimmed().isEmpty() && v)
            out = TieredPrice{*v, {}};
    };
    set(m_input, o.prices.input);
    set(m_cacheRead, o.prices.cacheRead);
    set(m_cacheWrite, o.prices.cacheWrite);
    set(m_cacheWrite1h, o.prices.cacheWrite1h);
    set(m_output, o.prices.output);
    set(m_batchInput, o.prices.batchInput);
    set(m_batchOutput, o.prices.batchOutput);
    return o;
}

QString OverrideDialog::validationError() const
{
    if (m_model->text().trimmed().isEmpty())
        return tr("Name the model.");
    bool any = false;
    for (QLineEdit *e : {m_input, m_cacheRead, m_cacheWrite, m_cacheWrite1h, m_output, m_batchInput, m_batchOutput}) {
        const QString text = e->text().trimmed();
        if (text.isEmpty())
            continue;
        const auto v = parsePricePerMillion(text);
        if (!v || *v < 0)
            return tr("“%1” is not a price: write a decimal number of US dollars, e.g. 2.5 or 0.0375.").arg(text);
        any = true;
    }
    if (!any)
        return tr("Give at least one price.");
    return {};
}

void OverrideDialog::validate()
{
    const QString error = validationError();
    m_error->setText(error);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(error.isEmpty());
}

} // namespace tl
