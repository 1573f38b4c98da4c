use strict;
use warnings;

my @data = split ' ', do { local $/; <STDIN> };
my ($n, $target) = @data[0, 1];
my @a = @data[2 .. $n + 1];
# TODO: find the positions i < j (1-based) with a[i] + a[j] == target.
my ($i, $j) = (0, 0);
print "$i $j\n";
