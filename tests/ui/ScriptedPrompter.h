#pragma once

#include "common/Prompter.h"

#include <QDialog>
#include <QPointer>
#include <QStringList>

#include <deque>

namespace tl::test {

// Answers the UI's questions from a script instead of showing modal windows: file names and Yes/No
// answers are taken from queues (empty queue: cancel / No); messages and dialogs are recorded.
class ScriptedPrompter final : public Prompter
{
public:
    std::deque<QString> fileAnswers;
    std::deque<bool> confirmAnswers;
    QStringList messages; // "title: text" of information/warning/about
    QStringList questions;
    QList<QPointer<QDialog>> dialogs;

    QString openFileName(QWidget *, const QString &, const QString &) override { return nextFile(); }
    QString saveFileName(QWidget *, const QString &, const QString &, const QString &) override { return nextFile(); }
    void information(QWidget *, const QString &title, const QString &text) override { messages << title + u": " + text; }
    void warning(QWidget *, const QString &title, const QString &text) override { messages << title + u": " + text; }
    void about(QWidget *, const QString &title, const QString &text) override { messages << title + u": " + text; }
    bool confirm(QWidget *, const QString &, const QString &text) override
    {
        questions << text;
        if (confirmAnswers.empty())
            return false;
        const bool answer = confirmAnswers.front();
        confirmAnswers.pop_front();
        return answer;
    }
    // Shown (non-modal, so the test can fill it in) and recorded; the dialog deletes itself on close.
    void showDialog(QDialog *dialog) override
    {
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
        dialogs << dialog;
    }
    template<typename T>
    T *lastDialog() const
    {
        return dialogs.isEmpty() ? nullptr : qobject_cast<T *>(dialogs.last().data());
    }

private:
    QString nextFile()
    {
        if (fileAnswers.empty())
            return {};
        QString f = fileAnswers.front();
        fileAnswers.pop_front();
        return f;
    }
};

} // namespace tl::test
