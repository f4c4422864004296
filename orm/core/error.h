#pragma once

#include <QString>

#include <exception>

namespace orm {

// The one exception type of the ORM: what failed, on which database (URL with the password
// masked), and, for SQL errors, the server's SQLSTATE and the 1-based character position.
class Error : public std::exception {
public:
    enum class Kind {
        InvalidUrl,       // a database URL that cannot be parsed
        Configuration,    // a bad argument: empty or duplicate names, unknown database...
        ConnectionFailed, // host unreachable, connection refused, server gone at connect
        Authentication,   // wrong user or password
        Timeout,          // connect_timeout or a runSync timeout elapsed
        FileNotFound,     // a SQLite file that does not exist (and create was not asked)
        Sql,              // the server rejected a statement
        Cancelled,        // the statement was cancelled on request
        ConnectionLost,   // the connection broke in the middle of an operation
        Usage,            // the API was used wrongly (a query while another runs, say)
        UnknownField,     // a query names a field its model does not have (before any SQL)
        NoRow,            // get() found no row
        SeveralRows,      // get() found more than one row
    };

    Error(Kind kind, QString message, QString database = {}, QString sqlState = {},
          int position = 0);

    Kind kind() const { return m_kind; }
    // The bare message, as the server or the parser gave it.
    const QString &message() const { return m_message; }
    // The database it happened on, password masked; empty if not tied to one.
    const QString &database() const { return m_database; }
    const QString &sqlState() const { return m_sqlState; }
    // 1-based character position of an SQL error in the statement; 0 when unknown.
    int position() const { return m_position; }

    // "<database>: <message> (SQLSTATE x, at character n)", for people.
    QString toString() const;
    const char *what() const noexcept override { return m_what.constData(); }

    static QString kindName(Kind kind);

private:
    Kind m_kind;
    QString m_message;
    QString m_database;
    QString m_sqlState;
    int m_position;
    QByteArray m_what;
};

} // namespace orm
