#pragma once

// Answers the next message box that opens, as a user would: a click on a standard button or on a
// button found by its object name, or Escape. A modal box runs its own event loop, in which the
// polling timer fires; a window-modal one is found the same way. Keeps what the box said.

#include <QAbstractButton>
#include <QApplication>
#include <QMessageBox>
#include <QTest>
#include <QTimer>

namespace strata::test {

class MessageBoxAnswerer : public QObject {
public:
    // A click on `button`; Escape when it is NoButton.
    explicit MessageBoxAnswerer(QMessageBox::StandardButton button)
        : m_standard(button)
    {
        start();
    }
    // A click on the button named `objectName`; Escape when it is empty or not in the box.
    explicit MessageBoxAnswerer(QString objectName)
        : m_named(std::move(objectName))
    {
        start();
    }

    int seen = 0;
    QString text;        // the text, and the informative text on a line of its own if any
    QStringList buttons; // the object names of the box's buttons

private:
    void start()
    {
        connect(&m_timer, &QTimer::timeout, this, &MessageBoxAnswerer::poll);
        m_timer.start(10);
    }
    void poll()
    {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        for (QWidget *widget : QApplication::topLevelWidgets())
            if (!box && widget->isVisible())
                box = qobject_cast<QMessageBox *>(widget);
        if (!box || !box->isVisible())
            return;
        m_timer.stop();
        ++seen;
        text = box->text();
        if (!box->informativeText().isEmpty())
            text += QLatin1Char('\n') + box->informativeText();
        for (QAbstractButton *button : box->buttons())
            buttons << button->objectName();
        QAbstractButton *target = nullptr;
        if (m_standard != QMessageBox::NoButton)
            target = box->button(m_standard);
        else if (!m_named.isEmpty()) // (an empty name would find any button)
            target = box->findChild<QAbstractButton *>(m_named);
        if (target)
            QTest::mouseClick(target, Qt::LeftButton);
        else
            QTest::keyClick(box, Qt::Key_Escape);
    }

    QMessageBox::StandardButton m_standard = QMessageBox::NoButton;
    QString m_named;
    QTimer m_timer;
};

} // namespace strata::test
