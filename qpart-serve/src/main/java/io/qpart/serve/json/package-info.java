/** The JSON formats shared by the command line and the server: queries (docs/query.md), tables (docs/table.md). */
package io.qpart.serve.json;
