package io.qpart.core.data;

/**
 * The element types a stored array may hold, with their size in bytes. The names follow numpy's
 * ({@code uint8} is {@link #UINT8}); {@link #npyCode()} is the numpy type code without the
 * byte-order prefix ({@code "u1"}).
 */
public enum ElementType {
    BOOL("b1", 1),
    INT8("i1", 1),
    UINT8("u1", 1),
    INT16("i2", 2),
    UINT16("u2", 2),
    INT32("i4", 4),
    UINT32("u4", 4),
    INT64("i8", 8),
    UINT64("u8", 8),
    FLOAT16("f2", 2),
    FLOAT32("f4", 4),
    FLOAT64("f8", 8);

    private final String npyCode;
    private final int byteSize;

    ElementType(String npyCode, int byteSize) {
        this.npyCode = npyCode;
        this.byteSize = byteSize;
    }

    /** Bytes one element occupies. */
    public int byteSize() {
        return byteSize;
    }

    /** numpy's type code without byte order, such as {@code "f4"} or {@code "u1"}. */
    public String npyCode() {
        return npyCode;
    }

    /** True for {@code float16}, {@code float32} and {@code float64}. */
    public boolean isFloatingPoint() {
        return this == FLOAT16 || this == FLOAT32 || this == FLOAT64;
    }

    /**
     * The type with the given numpy type code ({@code "f4"}), or {@code null} when none matches.
     */
    static ElementType fromNpyCode(String code) {
        for (ElementType type : values()) {
            if (type.npyCode.equals(code)) {
                return type;
            }
        }
        return null;
    }

    /** The numpy type codes this enum covers, for error messages: {@code "b1, i1, u1, ..."}. */
    static String npyCodes() {
        StringBuilder codes = new StringBuilder();
        for (ElementType type : values()) {
            if (!codes.isEmpty()) {
                codes.append(", ");
            }
            codes.append(type.npyCode);
        }
        return codes.toString();
    }
}
