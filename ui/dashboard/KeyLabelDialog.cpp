#include "KeyLabelDialog.h"

#include "ledger/KeyLabels.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tl {

KeyLabelDialog::KeyLabelDialog(const QString &keyId, const QString &currentLabel, QWidget *parent)
    : QDialog(parent)
    , m_keyId(keyId)
    , m_edit(new QLineEdit(currentLabel, this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(u"keyLabelDialog"_s);
    setWindowTitle(tr("Label this key"));
    auto *intro = new QLabel(tr("Name the API key whose salted hash is %1, so that breakdowns by key show who "
                                "made the calls. The label is stored in the ledger; never type the key itself.")
                                 .arg(keyId),
                             this);
    intro->setWordWrap(true);
    m_edit->setObjectName(u"keyLabelEdit"_s);
    m_edit->setPlaceholderText(tr("e.g. billing service"));
    m_edit->setMaxLength(KeyLabels::kMaxLength);
    m_edit->setClearButtonEnabled(true);
    m_problem->setObjectName(u"keyLabelProblem"_s);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(u"color: #d9534f;"_s);
    m_problem->setVisible(false);
    connect(m_edit, &QLineEdit::textChanged, this, &KeyLabelDialog::revalidate);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_edit);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    setMinimumWidth(420);
    revalidate();
}

QString KeyLabelDialog::label() const
{
    return m_edit->text().trimmed();
}

void KeyLabelDialog::revalidate()
{
    const Result<QString> valid = KeyLabels::validate(m_edit->text());
    m_problem->setText(valid ? QString() : valid.error().message);
    m_problem->setVisible(!valid);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(valid.has_value());
}

} // namespace tl
