/** A model loaded and analysed once, and configured splits of it: what the command line and the server run. */
package io.qpart.serve.model;
