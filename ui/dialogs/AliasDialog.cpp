#include "AliasDialog.h"

#include <QComboBox>
#include <QCompleter>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace tl {

AliasDialog::AliasDialog(const QStringList &providers, const QStringList &models, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"aliasDialog"_s);
    setWindowTitle(tr("Model alias"));
    m_alias = new QLineEdit(this);
    m_alias->setObjectName(u"aliasName"_s);
    m_alias->setPlaceholderText(tr("e.g. an Azure deployment name"));
    m_provider = new QComboBox(this);
    m_provider->setObjectName(u"aliasProvider"_s);
    m_provider->setEditable(true);
    m_provider->addItem(QString());
    m_provider->addItems(providers);
    m_model = new QComboBox(this);
    m_model->setObjectName(u"aliasModel"_s);
    m_model->setEditable(true);
    m_model->addItems(models);
    m_model->setCurrentText(QString());
    m_model->completer()->setFilterMode(Qt::MatchContains);
    m_model->completer()->setCompletionMode(QCompleter::PopupCompletion);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_alias, &QLineEdit::textChanged, this, &AliasDialog::validate);
    connect(m_model, &QComboBox::currentTextChanged, this, &AliasDialog::validate);
    auto *form = new QFormLayout(this);
    form->addRow(tr("&Name as reported:"), m_alias);
    form->addRow(tr("&Provider:"), m_provider);
    form->addRow(tr("Priced as &model:"), m_model);
    form->addRow(m_buttons);
    validate();
}

void AliasDialog::setAlias(const ModelAlias &alias)
{
    m_alias->setText(alias.alias);
    m_provider->setCurrentText(alias.provider);
    m_model->setCurrentText(alias.model);
}

ModelAlias AliasDialog::result() const
{
    return {m_alias->text().trimmed(), m_provider->currentText().trimmed(), m_model->currentText().trimmed()};
}

void AliasDialog::validate()
{
    m_buttons->button(QDialogButtonBox::Ok)
        ->setEnabled(!m_alias->text().trimmed().isEmpty() && !m_model->currentText().trimmed().isEmpty());
}

} // namespace tl
