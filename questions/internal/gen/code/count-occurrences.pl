use strict;
use warnings;

my @data = split ' ', do { local $/; <STDIN> };
my ($n, $q) = @data[0, 1];
my @a = @data[2 .. $n + 1];
my @queries = @data[$n + 2 .. $n + $q + 1];
my @out;
for my $x (@queries) {
    # TODO: count the occurrences of $x in the sorted array @a.
    my $count = 0;
    push @out, $count;
}
print join("\n", @out), "\n";
