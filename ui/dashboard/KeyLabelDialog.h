#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace tl {

// Asks for the label of one caller identity (the salted key hash). OK stays disabled while the text is
// refused by KeyLabels::validate (e.g. it looks like an API key), with the reason shown; an empty text
// removes the label. Shown through Prompter::showDialog; read label() after accepted().
// Thread affinity: GUI thread.
class KeyLabelDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeyLabelDialog)

public:
    KeyLabelDialog(const QString &keyId, const QString &currentLabel, QWidget *parent = nullptr);

    QString keyId() const { return m_keyId; }
    QString label() const; // trimmed; "" removes the label
    QLineEdit *edit() const { return m_edit; }
    QDialogButtonBox *buttons() const { return m_buttons; }

private:
    void revalidate();

    QString m_keyId;
    QLineEdit *m_edit;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};

} // namespace tl
