#pragma once

#include "pricing/Pricer.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QDialogButtonBox;

namespace tl {

// Adds or edits a price override: provider ("" = any), exact model name and prices in USD per
// million tokens, typed as decimals ("2.5", "0.0375") and parsed exactly into nano-USD
// (parsePricePerMillion). An empty field means "no price of that kind" (not zero). OK stays disabled
// until the model is named, one price is given and every given price parses.
class OverrideDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OverrideDialog)

public:
    // `providers`: provider ids offered in the combo box.
    OverrideDialog(const QStringList &providers, QWidget *parent = nullptr);

    void setOverride(const PriceOverride &o); // prefill (editing, or "Add price…" for a model)
    PriceOverride result() const;             // valid when accepted
    QString validationError() const;

    QLineEdit *field(const QString &objectName) const;

private:
    void validate();

    QComboBox *m_provider;
    QLineEdit *m_model;
    QLineEdit *m_input;
    QLineEdit *m_cacheRead;
    QLineEdit *m_cacheWrite;
    QLineEdit *m_cacheWrite1h;
    QLineEdit *m_output;
    QLineEdit *m_batchInput;
    QLineEdit *m_batchOutput;
    QLineEdit *m_note;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
};

} // namespace tl
